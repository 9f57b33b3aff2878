// Blocked matrix multiplication kernels: out[m][n] = dot(weight row n, activation row m).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "backend/cpu/column_blocks.h"
#include "backend/cpu/row_tiles.h"

namespace lamina {

// The activations of a GEMM, packed once per matmul so the micro-kernel broadcasts them from
// contiguous memory: panel p holds rows [p*mr, p*mr + mr) interleaved by k, i.e.
// xp[(p*K + k)*mr + i] = x[p*mr + i][k], rows past M zero.
struct GemmArgs {
    const void* w = nullptr;  // N weight rows of K elements of the kernel's weight type
    size_t ldw = 0;           // bytes between weight rows
    const float* xp = nullptr;
    int64_t M = 0, K = 0;
    float* out = nullptr;  // M rows of ldo floats; columns [n0, n1) are written
    int64_t ldo = 0;
    // When set, M rows of ld_add floats added to the products as they are stored.
    const float* add = nullptr;
    int64_t ld_add = 0;
    // Weights stored in column blocks (backend/cpu/column_blocks.h) of this many columns, n_rows
    // rows each, instead of whole rows ldw bytes apart; 0: whole rows. A multiple of every kernel's
    // k block, so no packed k block straddles two column blocks.
    int64_t col_block = 0;
    int64_t n_rows = 0;
    // Weights stored in tiles of this many rows, k-major (backend/cpu/row_tiles.h); 0: not.
    int64_t row_tile = 0;
};

// Rows per tile for the plain float weights the CPU backend stores in row tiles
// (backend/cpu/row_tiles.h): the AVX-512 GEMM's tile width, so its micro-kernel reads them where
// they are.
constexpr int64_t kGemmRowTile = 32;

// Columns per block for the plain float weights the CPU backend splits (rows longer than this):
// 8 KiB of float activations stay in L1 beside the weight stream of a matrix-vector product.
constexpr int64_t kGemmColumnBlock = 2048;

// Weight row n from column k0 on, for weights of elem_bytes per element, and the bytes between
// rows there (whole rows, or k0's column block).
inline const uint8_t* gemm_weights_at(const GemmArgs& a, size_t elem_bytes, int64_t n, int64_t k0,
                                      size_t* ldw) {
    return ColumnBlocks{a.col_block, a.n_rows, a.K, elem_bytes}.at(a.w, a.ldw, n, k0, ldw);
}

// Row tiles of weights of elem_bytes per element: tile t from column k0 on.
inline const uint8_t* gemm_tile_at(const GemmArgs& a, size_t elem_bytes, int64_t t, int64_t k0) {
    return static_cast<const uint8_t*>(a.w) +
           RowTiles{a.row_tile, a.K, elem_bytes}.offset(t * a.row_tile, k0);
}

// Computes columns [n0, n1) of out for all M rows. scratch: gemm_scratch_floats() floats,
// 64-byte aligned, private to the calling thread.
using GemmFn = void (*)(const GemmArgs& a, int64_t n0, int64_t n1, float* scratch);

// Matrix-vector products for few activation rows (M <= kGemvMaxRows): for each activation row
// m (at x + m * ldx floats), out[m * ldo + n] = dot(w row n, x row m) for n in [0, nrows). The
// weights stream from memory once for all M rows, several weight rows at a time.
constexpr int64_t kGemvMaxRows = 4;
using GemvFn = void (*)(int64_t K, const void* w, size_t ldw, int64_t nrows, const float* x,
                        int64_t ldx, int64_t M, float* out, int64_t ldo);
// The same for weights in row tiles of kGemmRowTile rows (backend/cpu/row_tiles.h): n_tiles tiles
// from w on, out[m * ldo + n] for n in [0, n_tiles * kGemmRowTile).
using GemvTilesFn = void (*)(int64_t K, const void* w, int64_t n_tiles, const float* x, int64_t ldx,
                             int64_t M, float* out, int64_t ldo);

// Upper bounds every ISA's kernel respects, so scratch can be sized before the ISA is known.
constexpr int64_t kGemmMaxMr = 16;    // activation rows per packed panel
constexpr int64_t kGemmMaxNr = 32;    // weight rows per packed tile
constexpr int64_t kGemmKBlock = 256;  // k values per packed weight tile
// Weight rows packed together (as tiles of the kernel's width) and swept by every activation
// panel: a k-block of this many rows, kGemmKBlock x kGemmNBlock floats, stays in L2 while the
// activation panel slice stays in L1.
constexpr int64_t kGemmNBlock = 256;
static_assert(kGemmColumnBlock % kGemmKBlock == 0);
constexpr size_t gemm_scratch_floats() {
    return (size_t)(kGemmKBlock * kGemmNBlock + 64);
}
// Floats needed for the packed activations of M rows of K.
inline size_t gemm_packed_x_floats(int64_t M, int64_t K) {
    return (size_t)(M + kGemmMaxMr) * (size_t)K;
}

// The next weight block a GEMM will pack or read (runs [0, rows) at w, ldw bytes apart: weight
// rows, or row tiles; bytes [byte0, byte0 + bytes) of each), fetched towards L2 in n_parts slices
// while the current block is being computed: slice `part` of them here. Packing reads 16-32 rows at
// a time, more streams than the hardware prefetchers follow, and otherwise waits on DRAM (in an F16
// prompt's profile packing went from 3.7% to 3.1% of the micro-kernel's time with this).
inline void prefetch_weight_block(const uint8_t* w, size_t ldw, int64_t rows, size_t byte0,
                                  size_t bytes, int64_t part, int64_t n_parts) {
    const int64_t lines_per_row = (int64_t)((bytes + 63) / 64) + 1;  // +1: rows need not be aligned
    const int64_t total = rows * lines_per_row;
    const int64_t per = (total + n_parts - 1) / n_parts;
    for (int64_t i = part * per; i < std::min(total, (part + 1) * per); ++i) {
        const int64_t r = i / lines_per_row, l = i % lines_per_row;
        const size_t off = std::min(bytes - 1, (size_t)l * 64);
        __builtin_prefetch(w + (size_t)r * ldw + byte0 + off, 0, 2);
    }
}

// Part `part` of n_parts of the bytes at `next` fetched towards L2: the next activation panel's
// k-block slice, fetched while the current panel sweeps its tiles. When rows are longer than a
// k block (the down projection), each panel's slice is a short run (12 KiB) far from the last
// one, and the hardware prefetchers had not caught up before the kernel needed it: on Zen 5,
// K=5632 N=2048 M=512, two threads, 320-330 -> 335-345 GFLOP/s.
inline void prefetch_panel_part(const float* next, size_t bytes, int64_t part, int64_t n_parts) {
    const char* p = reinterpret_cast<const char*>(next);
    const int64_t lines = (int64_t)((bytes + 63) / 64);
    for (int64_t l = part * lines / n_parts; l < (part + 1) * lines / n_parts; ++l)
        __builtin_prefetch(p + l * 64, 0, 2);
}

// Packs rows of x (row m at x + m * ldx floats) into panels [p0, p1) of mr rows.
using GemmPackXFn = void (*)(const float* x, int64_t ldx, int64_t M, int64_t K, int64_t mr,
                             int64_t p0, int64_t p1, float* xp);
// The portable reference packing.
void gemm_pack_x(const float* x, int64_t ldx, int64_t M, int64_t K, int64_t mr, int64_t p0,
                 int64_t p1, float* xp);

}  // namespace lamina
