// Weight rows interleaved in groups of eight, block by block: the layout the matrix-vector
// kernels of some ISAs read, so that one vector load holds bytes of each of eight rows and the
// eight rows' scales sit together. Made in memory when the CPU backend stores a weight, never
// written to files.
#pragma once

#include <cstddef>
#include <cstdint>

#include "quant/type_traits.h"

namespace lamina::quant {

constexpr int64_t kInterleave = 8;

// A group (rows 8g..8g+7) starts at g * 8 * row_bytes; block column b of the group takes the
// eight rows' blocks b, 8 * type_size bytes at b * 8 * type_size within it. The group takes
// exactly the bytes of its eight rows, so the matrix keeps its size and strides.
//
// Q4_0 and Q8_0, blocks of {uint16 d; uint8 qs[Q]} (Q = 16, 32):
//   uint16 d[8]:    the rows' fp16 scales;
//   uint8  qs[8 Q]: qs[32 s + 4 r + i] = byte 4 s + i of row r's qs (s < Q / 4, i < 4).
// Q4_K, blocks of {uint16 d, dmin; uint8 scales[12]; uint8 qs[128]}:
//   uint16 d[8], dmin[8];
//   uint8  scales[96]:  scales[8 i + r] = byte i of row r's scales (i < 12);
//   uint8  qs[1024]:    qs[64 (4 c + s) + 8 r + i] = byte 32 c + 8 s + i of row r's qs
//                       (c, s < 4, i < 8): eight bytes of each row per 64, so that the low
//                       nibbles of one 64-byte step are values 64 c + 8 s + i of every row and
//                       the high nibbles values 64 c + 32 + 8 s + i.
inline size_t interleaved_column_bytes(DType t) {
    return (size_t)kInterleave * type_traits(t).type_size;
}

// The largest interleaved_column_bytes of the types that interleave (Q4_K's 8 x 144).
constexpr size_t kMaxInterleavedColumnBytes = kInterleave * 144;

// Whether a matrix of this shape can be interleaved: rows of whole blocks, whole groups of rows.
// Which types have the layout is the CPU kernel table's to say (CpuKernels::TypeRow::interleaved,
// set for Q4_0, Q8_0 and Q4_K, the types interleave_rows knows).
inline bool can_interleave(DType t, int64_t ne0, int64_t ne1) {
    return ne0 % type_traits(t).block_size == 0 && ne1 % kInterleave == 0 && ne1 > 0;
}

// Rearranges rows (row_bytes each, a multiple of 8 rows) of type t in place.
void interleave_rows(DType t, uint8_t* data, int64_t rows, size_t row_bytes);

// Block blk of row `row` of an interleaved matrix, written to out as a plain block of type t
// (type_size bytes).
void interleaved_block(DType t, const uint8_t* data, size_t row_bytes, int64_t row, int64_t blk,
                       uint8_t* out);

// One block column of an interleaved group, written to out as the eight rows' plain blocks of
// type t one after another (8 * type_size bytes).
void deinterleave_column(DType t, const uint8_t* col, uint8_t* out);

}  // namespace lamina::quant
