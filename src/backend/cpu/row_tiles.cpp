#include "backend/cpu/row_tiles.h"

#include <cstring>
#include <vector>

namespace lamina {

namespace {

// The transposition of one tile held as T rows of K elements (E: an unsigned integer of the
// element's size, so the copy is a move per element, not a call).
template <typename E>
void transpose_tile(const uint8_t* rows, int64_t T, int64_t K, uint8_t* dst) {
    const E* src = reinterpret_cast<const E*>(rows);
    E* out = reinterpret_cast<E*>(dst);
    for (int64_t k = 0; k < K; ++k)
        for (int64_t r = 0; r < T; ++r) out[k * T + r] = src[r * K + k];
}

}  // namespace

void tile_rows(uint8_t* data, int64_t rows, const RowTiles& layout) {
    const int64_t T = layout.rows_per_tile, K = layout.cols;
    std::vector<uint8_t> tile(layout.tile_bytes());
    for (int64_t t = 0; t < rows / T; ++t) {
        uint8_t* dst = data + (size_t)t * layout.tile_bytes();
        std::memcpy(tile.data(), dst, tile.size());
        switch (layout.elem_bytes) {
            case 2:
                transpose_tile<uint16_t>(tile.data(), T, K, dst);
                break;
            case 4:
                transpose_tile<uint32_t>(tile.data(), T, K, dst);
                break;
            default:
                for (int64_t k = 0; k < K; ++k)
                    for (int64_t r = 0; r < T; ++r)
                        std::memcpy(dst + layout.offset(r, k),
                                    tile.data() + (size_t)(r * K + k) * layout.elem_bytes,
                                    layout.elem_bytes);
        }
    }
}

void gather_tiled_row(const uint8_t* data, const RowTiles& layout, int64_t n, uint8_t* out) {
    const size_t eb = layout.elem_bytes;
    const uint8_t* col0 = data + layout.offset(n, 0);
    const size_t step = (size_t)layout.rows_per_tile * eb;
    for (int64_t k = 0; k < layout.cols; ++k)
        std::memcpy(out + (size_t)k * eb, col0 + k * step, eb);
}

}  // namespace lamina
