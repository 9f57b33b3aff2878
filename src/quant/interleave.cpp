#include "quant/interleave.h"

#include <cstring>
#include <vector>

namespace lamina::quant {

void interleave_rows(DType t, uint8_t* data, int64_t rows, size_t row_bytes) {
    const size_t bs = type_traits(t).type_size, q = bs - 2, col_bytes = interleaved_column_bytes(t);
    const int64_t nb = (int64_t)(row_bytes / bs);
    std::vector<uint8_t> group(kInterleave * row_bytes);
    for (int64_t g = 0; g < rows / kInterleave; ++g) {
        uint8_t* dst = data + (size_t)g * kInterleave * row_bytes;
        std::memcpy(group.data(), dst, group.size());
        for (int64_t b = 0; b < nb; ++b) {
            uint8_t* col = dst + (size_t)b * col_bytes;
            for (int64_t r = 0; r < kInterleave; ++r) {
                const uint8_t* block = group.data() + (size_t)r * row_bytes + (size_t)b * bs;
                std::memcpy(col + 2 * r, block, 2);
                for (size_t s = 0; s < q / 4; ++s)
                    std::memcpy(col + 2 * kInterleave + 32 * s + 4 * r, block + 2 + 4 * s, 4);
            }
        }
    }
}

void interleaved_block(DType t, const uint8_t* data, size_t row_bytes, int64_t row, int64_t blk,
                       uint8_t* out) {
    const size_t q = type_traits(t).type_size - 2;
    const uint8_t* col = data + (size_t)(row / kInterleave) * kInterleave * row_bytes +
                         (size_t)blk * interleaved_column_bytes(t);
    const int64_t r = row % kInterleave;
    std::memcpy(out, col + 2 * r, 2);
    for (size_t s = 0; s < q / 4; ++s)
        std::memcpy(out + 2 + 4 * s, col + 2 * kInterleave + 32 * s + 4 * r, 4);
}

void deinterleave_column(DType t, const uint8_t* col, uint8_t* out) {
    const size_t bs = type_traits(t).type_size, q = bs - 2;
    for (int64_t r = 0; r < kInterleave; ++r) {
        uint8_t* block = out + (size_t)r * bs;
        std::memcpy(block, col + 2 * r, 2);
        for (size_t s = 0; s < q / 4; ++s)
            std::memcpy(block + 2 + 4 * s, col + 2 * kInterleave + 32 * s + 4 * r, 4);
    }
}

}  // namespace lamina::quant
