// Integer GEMM for quantized weights: weights and activations as bytes, block sums by vpdpbusd.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "quant/type_traits.h"

namespace lamina {

// Every GGUF quant type this GEMM covers is, per sub-block of L values (L = 16 or 32), an
// unsigned byte q per weight with one float scale dx and one float offset mx for the sub-block:
//   weight = dx * q + mx.
// Types whose offset is a fixed multiple of the scale (Q4_0: mx = -8 dx, Q8_0 stored as q + 128
// with mx = -128 dx, Q6_K, Q3_K, IQ4_*) fold it into the integer sum ("offset" below); types
// with free mins (Q4_K, Q5_K, Q2_K) add mx * (activation sum) in float.
// Activations are quantized with the type's vec_dot_type (Q8_0, Q8_1 or Q8_K) exactly as the
// one-row dot kernels quantize them, so both paths compute the same numbers.
struct QGemmFormat {
    DType weights;
    DType activations;  // Q8_0, Q8_1 or Q8_K
    int sub;            // L: values per sub-block, 16 or 32
    int offset;         // C > 0: mx = -C * dx, summed as -C * sum(y) in integers; 0: free mins
    int max_q;          // the largest unpacked byte (kernels without VNNI size int16 sums by it)
    // One block of the weight type (block_size values) to q[block_size], and dx, mx for each of
    // its block_size / sub sub-blocks (mx untouched when offset > 0).
    void (*unpack)(const void* block, uint8_t* q, float* dx, float* mx);
};

// The format of a weight type, or nullptr where the integer GEMM does not cover it.
const QGemmFormat* qgemm_format(DType weights);

// Panels of activation rows and tiles of weight rows, the micro-kernel's shape.
constexpr int64_t kQGemmMr = 6;   // activation rows per panel
constexpr int64_t kQGemmNr = 32;  // weight rows per tile

// Packed activations: panel p (rows [p*Mr, p*Mr + Mr), zero past M) is, per sub-block b,
//   uint8 quants[L/4][Mr][4]  (four consecutive values of each row, the vpdpbusd broadcast unit)
//   float dy[Mr]              (the row's activation scale for this sub-block)
//   aux[Mr]                   (int32 -C * sum(quants) for offset formats, float dy * sum(quants)
//                              for free-min formats: Q8_1's stored fp16 value)
inline int64_t qgemm_panel_bytes(const QGemmFormat& f, int64_t K) {
    return K / f.sub * kQGemmMr * (f.sub + 8);
}
inline size_t qgemm_packed_x_bytes(const QGemmFormat& f, int64_t M, int64_t K) {
    return (size_t)((M + kQGemmMr - 1) / kQGemmMr * qgemm_panel_bytes(f, K));
}
// Packs activation rows (row m at x + m * ldx floats) into panels [p0, p1), quantizing each row
// with `quantize` (f.activations' from_float) into tmp (row_size(f.activations, K) bytes).
void qgemm_pack_x(const QGemmFormat& f, FromFloatFn quantize, const float* x, int64_t ldx,
                  int64_t M, int64_t K, int64_t p0, int64_t p1, uint8_t* xp, uint8_t* tmp);

// Packed weights: a tile of kQGemmNr rows (zero past N) is, per sub-block b,
//   uint8 q[L/4][2][16][4]  (step s: four values of rows 0..15, then of rows 16..31)
//   float dx[32], then for free-min formats float mx[32].
inline int64_t qgemm_tile_bytes(const QGemmFormat& f, int64_t K) {
    return K / f.sub * (kQGemmNr * f.sub + (f.offset ? 128 : 256));
}
// Packs weight rows [n0, min(n0 + kQGemmNr, N)) (row n at w + n * ldw, or rows interleaved
// in groups of `interleave` = 8, backend/cpu/interleave.h) into one tile.
void qgemm_pack_w(const QGemmFormat& f, const void* w, size_t ldw, int64_t n0, int64_t N, int64_t K,
                  uint8_t* tile, int interleave = 1);

// Weight tiles packed together and swept by every activation panel: as many as fit in about
// half of a core's L2.
int64_t qgemm_tiles_per_chunk(const QGemmFormat& f, int64_t K);

struct QGemmArgs {
    const QGemmFormat* f = nullptr;
    const void* w = nullptr;  // N weight rows
    size_t ldw = 0;
    int interleave = 1;  // Tensor::interleave of the weights
    int64_t N = 0;
    const uint8_t* xp = nullptr;  // packed activations, all panels
    int64_t M = 0, K = 0;
    float* out = nullptr;  // out[m * ldo + n]
    int64_t ldo = 0;
};
// Computes columns [n0, n1) of out (n0 a multiple of kQGemmNr) for all M rows. scratch:
// qgemm_tiles_per_chunk * qgemm_tile_bytes bytes, 64-byte aligned, private to the thread.
using QGemmFn = void (*)(const QGemmArgs& a, int64_t n0, int64_t n1, uint8_t* scratch);

// The loop every ISA's QGemmFn shares: the thread packs a chunk of its tiles into scratch, then
// every activation panel sweeps the chunk while it stays in L2 (and the panel in L1).
// tile(packed tile, packed panel, rows of the panel, columns of the tile below n1, out) computes
// one panel x tile block.
template <typename Tile>
void qgemm_sweep(const QGemmArgs& a, int64_t n0, int64_t n1, uint8_t* scratch, Tile tile) {
    const QGemmFormat& f = *a.f;
    const int64_t tile_bytes = qgemm_tile_bytes(f, a.K), panel_bytes = qgemm_panel_bytes(f, a.K);
    const int64_t chunk = qgemm_tiles_per_chunk(f, a.K) * kQGemmNr;
    const int64_t n_panels = (a.M + kQGemmMr - 1) / kQGemmMr;
    for (int64_t c0 = n0; c0 < n1; c0 += chunk) {
        const int64_t c1 = std::min(n1, c0 + chunk);
        for (int64_t t = c0; t < c1; t += kQGemmNr)
            qgemm_pack_w(f, a.w, a.ldw, t, a.N, a.K, scratch + (t - c0) / kQGemmNr * tile_bytes,
                         a.interleave);
        for (int64_t p = 0; p < n_panels; ++p) {
            const int rows = (int)std::min<int64_t>(kQGemmMr, a.M - p * kQGemmMr);
            for (int64_t t = c0; t < c1; t += kQGemmNr)
                tile(scratch + (t - c0) / kQGemmNr * tile_bytes, a.xp + p * panel_bytes, rows,
                     c1 - t, a.out + p * kQGemmMr * a.ldo + t);
        }
    }
}

}  // namespace lamina
