#include "quant/interleave.h"

#include <cstring>
#include <vector>

namespace lamina::quant {

void interleave_q4_0(uint8_t* data, int64_t rows, size_t row_bytes) {
    const int64_t nb = (int64_t)(row_bytes / sizeof(BlockQ4_0));
    std::vector<uint8_t> group(kInterleave * row_bytes);
    for (int64_t g = 0; g < rows / kInterleave; ++g) {
        uint8_t* dst = data + (size_t)g * kInterleave * row_bytes;
        std::memcpy(group.data(), dst, group.size());
        for (int64_t b = 0; b < nb; ++b) {
            uint8_t* col = dst + (size_t)b * kQ4_0GroupBlockBytes;
            for (int64_t r = 0; r < kInterleave; ++r) {
                BlockQ4_0 x;
                std::memcpy(&x, group.data() + (size_t)r * row_bytes + b * sizeof(BlockQ4_0),
                            sizeof x);
                std::memcpy(col + 2 * r, &x.d, 2);
                for (int s = 0; s < 4; ++s) std::memcpy(col + 16 + 32 * s + 4 * r, x.qs + 4 * s, 4);
            }
        }
    }
}

BlockQ4_0 interleaved_q4_0_block(const uint8_t* data, size_t row_bytes, int64_t row, int64_t blk) {
    const uint8_t* col = data + (size_t)(row / kInterleave) * kInterleave * row_bytes +
                         (size_t)blk * kQ4_0GroupBlockBytes;
    const int64_t r = row % kInterleave;
    BlockQ4_0 x;
    std::memcpy(&x.d, col + 2 * r, 2);
    for (int s = 0; s < 4; ++s) std::memcpy(x.qs + 4 * s, col + 16 + 32 * s + 4 * r, 4);
    return x;
}

}  // namespace lamina::quant
