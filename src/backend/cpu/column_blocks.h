// Weight matrices stored in column blocks: every row's first `width` columns, row after row, then
// every row's next `width` columns, and so on (the last block may be narrower). Made in memory
// when the CPU backend stores plain float weights with long rows, never written to files: a
// matrix-vector product that walks the blocks one after another keeps its slice of the float
// activation row in L1. With whole rows of K = 5632 the 22 KiB activation row was evicted by the
// weight stream, and the F16 down projection streamed its weights ~20% slower than the K = 2048
// products.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace lamina {

struct ColumnBlocks {
    int64_t width = 0;  // columns per block; 0: whole rows (one block)
    int64_t rows = 0;   // N
    int64_t cols = 0;   // K
    size_t elem_bytes = 0;

    int64_t count() const { return width > 0 ? (cols + width - 1) / width : 1; }
    // The block holding column k, its first column and its number of columns.
    int64_t block_of(int64_t k) const { return width > 0 ? k / width : 0; }
    int64_t first(int64_t b) const { return width > 0 ? b * width : 0; }
    int64_t cols_in(int64_t b) const {
        return width > 0 ? std::min(width, cols - b * width) : cols;
    }
    // Bytes between consecutive rows inside block b.
    size_t row_stride(int64_t b) const { return (size_t)cols_in(b) * elem_bytes; }
    // Byte offset of row n, column k (every block before k's is full width).
    size_t offset(int64_t n, int64_t k) const {
        const int64_t b = block_of(k);
        return (size_t)(first(b) * rows) * elem_bytes + (size_t)n * row_stride(b) +
               (size_t)(k - first(b)) * elem_bytes;
    }
    // Row n from column k on in a matrix at data (whole rows ldw bytes apart when there are no
    // blocks), and the bytes between rows there.
    const uint8_t* at(const void* data, size_t ldw, int64_t n, int64_t k, size_t* ld) const {
        const uint8_t* base = static_cast<const uint8_t*>(data);
        if (width <= 0) {
            *ld = ldw;
            return base + (size_t)n * ldw + (size_t)k * elem_bytes;
        }
        *ld = row_stride(block_of(k));
        return base + offset(n, k);
    }
};

// Rearranges a row-major matrix (layout.rows rows of layout.cols elements) into column blocks,
// in place (through a temporary copy of the matrix).
void split_into_column_blocks(uint8_t* data, const ColumnBlocks& layout);

}  // namespace lamina
