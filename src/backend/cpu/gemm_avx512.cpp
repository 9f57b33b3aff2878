// AVX-512 GEMM (12x32 register tile) and multi-row GEMV for F32, F16 and BF16 weights, in rows
// or in row tiles (backend/cpu/row_tiles.h): the bodies of simd/gemm.h at sixteen lanes, in the
// blocking tuned for this width, and what only this width has: activation panels packed by
// 16x16 transposes with streaming stores, and the GEMV over row tiles.
// GCC 12 reports its own AVX-512 intrinsics (which start from _mm512_undefined_*) as "(maybe)
// uninitialized" once inlined; the warning is about the header, not this code.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include <algorithm>

#include "backend/cpu/gemm.h"
#include "backend/cpu/kernels.h"
#include "backend/cpu/simd/gemm.h"
#include "backend/cpu/simd/vec_avx512.h"

namespace lamina {
namespace {

using V = simd::Avx512;
constexpr int64_t kMr = simd::kGemmMr<V>;  // activation rows per panel: 12 x 2 accumulators
constexpr int64_t kNr = simd::kGemmNr<V>;  // weight rows per tile: two zmm of outputs per row
static_assert(kMr == 12 && kNr == 32);
static_assert(kMr <= kGemmMaxMr && kNr <= kGemmMaxNr);
using F32W = simd::GemmWeights<V, simd::AsF32>;
using F16W = simd::GemmWeights<V, simd::AsF16>;
using BF16W = simd::GemmWeights<V, simd::AsBF16>;

inline __mmask16 tail_mask(int64_t n) {
    return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1);
}

// Sixteen k columns of 12 rows each (r[c] lanes 0-11; lanes 12-15 unused) stored as the panel's
// 192 consecutive floats at dst (64-byte aligned): twelve whole lines, each vector joining parts
// of two columns, written with non-temporal stores. The panels overwrite memory that both cores
// read during the previous product, and ordinary stores had to fetch and take ownership of every
// line first: in an F16 prompt, packing took 80-110 ms per thread of a 512-token prompt's three
// repetitions, 22-37 with these (the products then read the panels from memory, which costs
// less), and pp512 gained about 1%.
inline void stream_panel_step(const __m512 r[16], float* dst) {
    const __m512i i0 = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19);
    const __m512i i1 = _mm512_setr_epi32(4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23);
    const __m512i i2 =
        _mm512_setr_epi32(8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27);
    for (int g = 0; g < 4; ++g) {
        const __m512* c = r + 4 * g;
        float* d = dst + 48 * g;
        _mm512_stream_ps(d, _mm512_permutex2var_ps(c[0], i0, c[1]));
        _mm512_stream_ps(d + 16, _mm512_permutex2var_ps(c[1], i1, c[2]));
        _mm512_stream_ps(d + 32, _mm512_permutex2var_ps(c[2], i2, c[3]));
    }
}

// gemm_pack_x for this kernel's panels of 12 rows: 16 k values of each row are transposed in
// registers, then streamed out as whole lines (a k tail, or a panel not 64-byte aligned, takes
// one masked store per k).
void pack_x(const float* x, int64_t ldx, int64_t M, int64_t K, int64_t mr, int64_t p0, int64_t p1,
            float* xp) {
    if (mr != kMr) return gemm_pack_x(x, ldx, M, K, mr, p0, p1, xp);
    const __mmask16 row_mask = tail_mask(kMr);
    for (int64_t p = p0; p < p1; ++p) {
        float* panel = xp + p * K * kMr;
        const int64_t rows = std::min(kMr, M - p * kMr);
        for (int64_t k = 0; k < K; k += 16) {
            const __mmask16 m = tail_mask(K - k);
            __m512 r[16];
            for (int64_t i = 0; i < 16; ++i)
                r[i] = i < rows ? _mm512_maskz_loadu_ps(m, x + (p * kMr + i) * ldx + k)
                                : _mm512_setzero_ps();
            V::transpose(r);
            if (k + 16 <= K && ((uintptr_t)(panel + k * kMr) & 63) == 0) {
                stream_panel_step(r, panel + k * kMr);
                continue;
            }
            for (int64_t c = 0; c < 16 && k + c < K; ++c)
                _mm512_mask_storeu_ps(panel + (k + c) * kMr, row_mask, r[c]);
        }
    }
    // Non-temporal stores are weakly ordered: the barrier that publishes the panels to the
    // other threads must come after them.
    _mm_sfence();
}

// The packed weight block, k values x weight rows, for rows of K: the whole row when it fits
// in the block with at least one tile of rows (K <= 2048; as many tiles as fit), else 256 x 256.
// Whole rows keep each output tile in registers from the first k to the last instead of storing
// and reloading it every 256 k; on Zen 5 that made the K = 2048 products (Q, K, V, O, gate, up)
// 7-15% faster. Longer rows keep 256 x 256: cut into k blocks of 2048 with one tile per block,
// the down projection (K = 5632) re-read its 11.5 MiB of activations once per 32 weight rows and
// ran 20% slower on one core.
struct WeightBlock {
    int64_t kc, nb;
};
WeightBlock weight_block(int64_t K, int64_t col_block) {
    constexpr int64_t kFloats = kGemmKBlock * kGemmNBlock;
    // Weights in column blocks have long rows: the k blocks must not straddle column blocks.
    if (K * kNr > kFloats || col_block > 0) return {kGemmKBlock, kGemmNBlock};
    const int64_t kc = std::max<int64_t>(K, 1);
    return {kc, std::min<int64_t>(kGemmNBlock, kFloats / kc / kNr * kNr)};
}

// Weights in row tiles of kNr rows (backend/cpu/row_tiles.h) are multiplied where they are: each
// tile's k block is one contiguous run, which the micro-kernel converts as it goes, so the
// packing pass (about 3% of an F16 prompt) goes. Other weights are packed a block at a time
// into scratch as float32 tiles.
template <typename W>
void gemm(const GemmArgs& a, int64_t n0, int64_t n1, float* scratch) {
    float* wp = reinterpret_cast<float*>(((uintptr_t)scratch + 63) & ~(uintptr_t)63);
    const bool tiled = a.row_tile == kNr;
    const int64_t n_panels = (a.M + kMr - 1) / kMr;
    const auto [kc_max, nb_max] = weight_block(a.K, a.col_block);
    // Tile t of the block at nb, from column k0 on, as the micro-kernel reads it.
    auto tile_at = [&](int64_t nb, int64_t t, int64_t k0, int64_t kc) -> const void* {
        if (tiled) return gemm_tile_at(a, W::kBytes, nb / kNr + t, k0);
        return wp + t * kc * kNr;
    };
    for (int64_t nb = n0; nb < n1; nb += nb_max) {
        const int64_t nb_end = std::min(n1, nb + nb_max);
        const int64_t n_tiles = (nb_end - nb + kNr - 1) / kNr;
        for (int64_t k0 = 0; k0 < a.K; k0 += kc_max) {
            const int64_t kc = std::min(kc_max, a.K - k0);
            for (int64_t t = 0; t < n_tiles && !tiled; ++t) {
                const int64_t nt = nb + t * kNr;
                size_t ldw;
                const uint8_t* wt = gemm_weights_at(a, W::kBytes, nt, k0, &ldw);
                simd::pack_w<V, W>(wt, ldw, std::min(kNr, nb_end - nt), 0, kc, wp + t * kc * kNr);
            }
            // What the next block reads: this block's next k-block, else the next block. Row
            // tiles are one run per tile; other weights one run per row.
            const bool next_k = k0 + kc_max < a.K;
            const int64_t next_nb = next_k ? nb : nb_end;
            const int64_t next_k0 = next_k ? k0 + kc_max : 0;
            const int64_t next_rows = std::min(n1, next_nb + nb_max) - next_nb;
            const int64_t next_kc = std::min(kc_max, a.K - next_k0);
            size_t next_ldw = 0;
            const uint8_t* next_w = nullptr;
            int64_t next_runs = next_rows;
            size_t next_bytes = (size_t)(next_kc * W::kBytes);
            if (next_rows > 0 && tiled) {
                next_w = gemm_tile_at(a, W::kBytes, next_nb / kNr, next_k0);
                next_ldw = RowTiles{kNr, a.K, W::kBytes}.tile_bytes();
                next_runs = (next_rows + kNr - 1) / kNr;
                next_bytes *= kNr;
            } else if (next_rows > 0) {
                next_w = gemm_weights_at(a, W::kBytes, next_nb, next_k0, &next_ldw);
            }
            for (int64_t p = 0; p < n_panels; ++p) {
                if (next_rows > 0)
                    prefetch_weight_block(next_w, next_ldw, next_runs, 0, next_bytes, p, n_panels);
                const float* xp = a.xp + (p * a.K + k0) * kMr;
                float* out = a.out + p * kMr * a.ldo;
                const float* add = a.add && k0 + kc >= a.K ? a.add + p * kMr * a.ld_add : nullptr;
                const int64_t mr = std::min(kMr, a.M - p * kMr);
                const simd::MicroTileFn micro =
                    tiled ? simd::micro_tile_for<V, W>(mr) : simd::micro_tile_for<V, F32W>(mr);
                const bool fetch_next = kc < a.K && p + 1 < n_panels;
                for (int64_t t = 0; t < n_tiles; ++t) {
                    const int64_t nt = nb + t * kNr;
                    if (fetch_next)
                        prefetch_panel_part(xp + a.K * kMr, (size_t)(kc * kMr) * sizeof(float), t,
                                            n_tiles);
                    micro(xp, tile_at(nb, t, k0, kc), kc, out + nt, a.ldo, mr,
                          std::min(kNr, nb_end - nt), k0 > 0, add ? add + nt : nullptr, a.ld_add);
                }
            }
        }
    }
}

// NT row tiles (kNr rows each, backend/cpu/row_tiles.h) side by side against MX activation rows: per
// k, one column of each tile (two vectors) times each row's x[k] broadcast. Two tiles are two
// streams a tile apart, and the memory system serves them faster than one: 2048 x 5632 F16
// matrices, two threads, 54-57 GB/s against 45-51 for one tile at a time and 44-48 for whole
// rows, in the same runs. C chains over k keep enough independent FMAs in flight and split each
// output's sum of K products into C shorter ones, added at the end. Every loop over the
// accumulators has constant bounds and is unrolled: with a loop left over them GCC kept them on
// the stack, and the store-to-load round trips made F16 generation 10-25% slower.
template <typename W, int MX, int NT>
void gemv_tile_group(int64_t K, const uint8_t* w, const float* x, int64_t ldx, float* out,
                     int64_t ldo) {
    constexpr int C = NT * MX == 1 ? 8 : NT * MX == 2 ? 4 : NT * MX <= 4 ? 2 : 1;
    constexpr int kAcc = C * NT * MX * 2;
    static_assert(kAcc <= 24);
    constexpr int64_t kColBytes = kNr * W::kBytes;
    const size_t tile_bytes = (size_t)K * kColBytes;
    __m512 acc[kAcc];
#pragma GCC unroll 24
    for (int i = 0; i < kAcc; ++i) acc[i] = _mm512_setzero_ps();
    // Accumulator of chain c, tile j, activation row m, half h.
    auto at = [](int c, int j, int m, int h) { return ((c * NT + j) * MX + m) * 2 + h; };
    int64_t k = 0;
    for (; k + C <= K; k += C) {
#pragma GCC unroll 8
        for (int c = 0; c < C; ++c) {
            __m512 b[MX];
#pragma GCC unroll 4
            for (int m = 0; m < MX; ++m) b[m] = _mm512_set1_ps(x[m * ldx + k + c]);
#pragma GCC unroll 2
            for (int j = 0; j < NT; ++j) {
                const uint8_t* col = w + j * tile_bytes + (k + c) * kColBytes;
                const __m512 w0 = W::load(col, 0), w1 = W::load(col, 16);
#pragma GCC unroll 4
                for (int m = 0; m < MX; ++m) {
                    acc[at(c, j, m, 0)] = _mm512_fmadd_ps(w0, b[m], acc[at(c, j, m, 0)]);
                    acc[at(c, j, m, 1)] = _mm512_fmadd_ps(w1, b[m], acc[at(c, j, m, 1)]);
                }
            }
        }
    }
    for (; k < K; ++k) {
#pragma GCC unroll 2
        for (int j = 0; j < NT; ++j) {
            const uint8_t* col = w + j * tile_bytes + k * kColBytes;
            const __m512 w0 = W::load(col, 0), w1 = W::load(col, 16);
#pragma GCC unroll 4
            for (int m = 0; m < MX; ++m) {
                const __m512 b = _mm512_set1_ps(x[m * ldx + k]);
                acc[at(0, j, m, 0)] = _mm512_fmadd_ps(w0, b, acc[at(0, j, m, 0)]);
                acc[at(0, j, m, 1)] = _mm512_fmadd_ps(w1, b, acc[at(0, j, m, 1)]);
            }
        }
    }
#pragma GCC unroll 2
    for (int j = 0; j < NT; ++j)
#pragma GCC unroll 4
        for (int m = 0; m < MX; ++m) {
            __m512 s0 = acc[at(0, j, m, 0)], s1 = acc[at(0, j, m, 1)];
#pragma GCC unroll 8
            for (int c = 1; c < C; ++c) {
                s0 = _mm512_add_ps(s0, acc[at(c, j, m, 0)]);
                s1 = _mm512_add_ps(s1, acc[at(c, j, m, 1)]);
            }
            float* o = out + m * ldo + j * kNr;
            _mm512_storeu_ps(o, s0);
            _mm512_storeu_ps(o + 16, s1);
        }
}

template <typename W, int MX>
void gemv_tiles_rows(int64_t K, const uint8_t* w, int64_t n_tiles, const float* x, int64_t ldx,
                     float* out, int64_t ldo) {
    const size_t tile_bytes = (size_t)K * kNr * W::kBytes;
    int64_t t = 0;
    for (; t + 2 <= n_tiles; t += 2)
        gemv_tile_group<W, MX, 2>(K, w + t * tile_bytes, x, ldx, out + t * kNr, ldo);
    if (t < n_tiles) gemv_tile_group<W, MX, 1>(K, w + t * tile_bytes, x, ldx, out + t * kNr, ldo);
}

template <typename W>
void gemv_tiles(int64_t K, const void* w, int64_t n_tiles, const float* x, int64_t ldx, int64_t M,
                float* out, int64_t ldo) {
    static_assert(kNr == kGemmRowTile);
    const uint8_t* wb = static_cast<const uint8_t*>(w);
    switch (M) {
        case 1:
            return gemv_tiles_rows<W, 1>(K, wb, n_tiles, x, ldx, out, ldo);
        case 2:
            return gemv_tiles_rows<W, 2>(K, wb, n_tiles, x, ldx, out, ldo);
        case 3:
            return gemv_tiles_rows<W, 3>(K, wb, n_tiles, x, ldx, out, ldo);
        default:
            return gemv_tiles_rows<W, 4>(K, wb, n_tiles, x, ldx, out, ldo);
    }
}

}  // namespace

void install_avx512_gemm(CpuKernels& k) {
    k.gemm_mr = kMr;
    k.gemm_pack_x = pack_x;
    k.types[(size_t)DType::F32].gemm = gemm<F32W>;
    k.types[(size_t)DType::F16].gemm = gemm<F16W>;
    k.types[(size_t)DType::BF16].gemm = gemm<BF16W>;
    simd::install_gemv<V>(k);
    k.types[(size_t)DType::F32].gemv_tiles = gemv_tiles<F32W>;
    k.types[(size_t)DType::F16].gemv_tiles = gemv_tiles<F16W>;
    k.types[(size_t)DType::BF16].gemv_tiles = gemv_tiles<BF16W>;
}

}  // namespace lamina
