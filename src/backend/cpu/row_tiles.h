// Weight matrices stored in tiles of rows: the rows [t * T, t * T + T) of tile t as K columns of
// T elements each, column after column (k-major), so that one 64-byte line holds column k of
// 32 F16 rows. Made in memory when the CPU backend stores plain float weights, never written to
// files: the AVX-512 GEMM multiplies such tiles as they are, with no packing pass per prompt, and
// the matrix-vector product streams them front to back.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lamina {

struct RowTiles {
    int64_t rows_per_tile = 0;  // T; 0: whole rows
    int64_t cols = 0;           // K
    size_t elem_bytes = 0;

    size_t tile_bytes() const { return (size_t)(rows_per_tile * cols) * elem_bytes; }
    // Byte offset of row n, column k.
    size_t offset(int64_t n, int64_t k) const {
        return (size_t)(n / rows_per_tile) * tile_bytes() +
               (size_t)(k * rows_per_tile + n % rows_per_tile) * elem_bytes;
    }
    // Whether a matrix of this many rows can be stored so (whole tiles only).
    bool fits(int64_t rows) const { return rows_per_tile > 0 && rows % rows_per_tile == 0; }
};

// Rearranges a row-major matrix (rows a multiple of layout.rows_per_tile) into row tiles, in
// place: each tile takes exactly the bytes of its rows.
void tile_rows(uint8_t* data, int64_t rows, const RowTiles& layout);

// Row n of a matrix in row tiles, written out as a plain row of layout.cols elements.
void gather_tiled_row(const uint8_t* data, const RowTiles& layout, int64_t n, uint8_t* out);

}  // namespace lamina
