#include "backend/cpu/interleave.h"

#include <cstring>
#include <vector>

#include "quant/blocks.h"

namespace lamina::quant {
namespace {

// Where each byte of row r's plain block lands in its interleaved column: the one map that
// interleaving, reading back a block and reading back a column all follow.
// bs: type_traits(t).type_size, looked up once by the callers (the read-backs run per block
// column in the integer GEMM's weight packing, where the lookup showed in profiles).
template <typename Copy>
void map_block(DType t, size_t bs, int64_t r, Copy copy) {
    if (t == DType::Q4_K) {
        copy(2 * r, 0, 2);                                                // d
        copy(2 * kInterleave + 2 * r, 2, 2);                              // dmin
        for (int64_t i = 0; i < 12; ++i) copy(32 + 8 * i + r, 4 + i, 1);  // scales
        for (int64_t c = 0; c < 4; ++c)
            for (int64_t s = 0; s < 4; ++s)
                copy(128 + 64 * (4 * c + s) + 8 * r, 16 + 32 * c + 8 * s, 8);
        return;
    }
    const int64_t q = (int64_t)bs - 2;
    copy(2 * r, 0, 2);
    for (int64_t s = 0; s < q / 4; ++s) copy(2 * kInterleave + 32 * s + 4 * r, 2 + 4 * s, 4);
}

static_assert(sizeof(BlockQ4_K) * kInterleave == kMaxInterleavedColumnBytes);

}  // namespace

void interleave_rows(DType t, uint8_t* data, int64_t rows, size_t row_bytes) {
    const size_t bs = type_traits(t).type_size, col_bytes = interleaved_column_bytes(t);
    const int64_t nb = (int64_t)(row_bytes / bs);
    std::vector<uint8_t> group(kInterleave * row_bytes);
    for (int64_t g = 0; g < rows / kInterleave; ++g) {
        uint8_t* dst = data + (size_t)g * kInterleave * row_bytes;
        std::memcpy(group.data(), dst, group.size());
        for (int64_t b = 0; b < nb; ++b) {
            uint8_t* col = dst + (size_t)b * col_bytes;
            for (int64_t r = 0; r < kInterleave; ++r) {
                const uint8_t* block = group.data() + (size_t)r * row_bytes + (size_t)b * bs;
                map_block(t, bs, r, [&](int64_t at, int64_t from, size_t n) {
                    std::memcpy(col + at, block + from, n);
                });
            }
        }
    }
}

void interleaved_block(DType t, const uint8_t* data, size_t row_bytes, int64_t row, int64_t blk,
                       uint8_t* out) {
    const uint8_t* col = data + (size_t)(row / kInterleave) * kInterleave * row_bytes +
                         (size_t)blk * interleaved_column_bytes(t);
    map_block(t, type_traits(t).type_size, row % kInterleave,
              [&](int64_t at, int64_t from, size_t n) { std::memcpy(out + from, col + at, n); });
}

void deinterleave_column(DType t, const uint8_t* col, uint8_t* out) {
    const size_t bs = type_traits(t).type_size;
    for (int64_t r = 0; r < kInterleave; ++r) {
        uint8_t* block = out + (size_t)r * bs;
        map_block(t, bs, r, [&](int64_t at, int64_t from, size_t n) {
            std::memcpy(block + from, col + at, n);
        });
    }
}

}  // namespace lamina::quant
