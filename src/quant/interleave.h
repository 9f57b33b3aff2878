// Q4_0 weight rows interleaved in groups of eight, block by block: the layout the AVX2
// matrix-vector kernel reads, so that one 256-bit load holds four bytes of each of eight rows
// and the eight rows' scales sit together. Made in memory at load time, never written to files.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/types.h"
#include "quant/blocks.h"

namespace lamina::quant {

constexpr int64_t kInterleave = 8;

// Group g (rows 8g..8g+7) starts at g * 8 * row_bytes; block column b of the group is 144 bytes
// at b * 144 within it:
//   uint16 d[8]:    the rows' fp16 scales;
//   uint8  qs[128]: qs[32 s + 4 r + i] = byte 4 s + i of row r's block (s 0..3, i 0..3).
// The group takes exactly the bytes of its eight rows, so the matrix keeps its size and strides.
constexpr size_t kQ4_0GroupBlockBytes = kInterleave * sizeof(BlockQ4_0);

// Whether a matrix of this type and shape can be interleaved.
inline bool can_interleave(DType t, int64_t ne0, int64_t ne1) {
    return t == DType::Q4_0 && ne0 % 32 == 0 && ne1 % kInterleave == 0 && ne1 > 0;
}

// Rearranges rows (row_bytes each, a multiple of 8 rows) in place.
void interleave_q4_0(uint8_t* data, int64_t rows, size_t row_bytes);

// Block blk of row `row` of an interleaved matrix, as a plain Q4_0 block.
BlockQ4_0 interleaved_q4_0_block(const uint8_t* data, size_t row_bytes, int64_t row, int64_t blk);

}  // namespace lamina::quant
