// AVX2/FMA GEMM (6x16 register tile) and multi-row GEMV for F32, F16 and BF16 weights.
#include <immintrin.h>

#include <algorithm>

#include "backend/cpu/avx2_util.h"
#include "backend/cpu/gemm.h"
#include "backend/cpu/kernels.h"

namespace lamina {
namespace {

constexpr int64_t kMr = 6;   // activation rows per panel: 6 x 2 accumulators of 16 ymm
constexpr int64_t kNr = 16;  // weight rows per tile
static_assert(kMr <= kGemmMaxMr && kNr <= kGemmMaxNr && kGemmMaxNr % kNr == 0);

// Weight element loaders: 8 consecutive elements of a row as float32, and a single element.
struct F32W {
    static constexpr int64_t kBytes = 4;
    static __m256 load(const void* row, int64_t k) {
        return _mm256_loadu_ps(static_cast<const float*>(row) + k);
    }
    static float one(const void* row, int64_t k) { return static_cast<const float*>(row)[k]; }
};
struct F16W {
    static constexpr int64_t kBytes = 2;
    static __m256 load(const void* row, int64_t k) {
        return _mm256_cvtph_ps(_mm_loadu_si128(
            reinterpret_cast<const __m128i*>(static_cast<const uint16_t*>(row) + k)));
    }
    static float one(const void* row, int64_t k) {
        return _cvtsh_ss(static_cast<const uint16_t*>(row)[k]);
    }
};
struct BF16W {
    static constexpr int64_t kBytes = 2;
    static __m256 load(const void* row, int64_t k) {
        const __m128i h = _mm_loadu_si128(
            reinterpret_cast<const __m128i*>(static_cast<const uint16_t*>(row) + k));
        return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
    }
    static float one(const void* row, int64_t k) {
        const uint32_t u = (uint32_t) static_cast<const uint16_t*>(row)[k] << 16;
        float f;
        __builtin_memcpy(&f, &u, 4);
        return f;
    }
};

// In-register 8x8 transpose: r[i] holds row i on entry, column i on exit.
inline void transpose8(__m256 r[8]) {
    __m256 t[8], u[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {
        u[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
        u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xEE);
        u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
        u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
    }
    for (int i = 0; i < 4; ++i) {
        r[i] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x20);
        r[i + 4] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x31);
    }
}

// Packs weight rows [0, nr) x columns [k0, k0 + kc) as float32, k-major: wp[k][kNr], rows past
// nr zero. Each half tile of 8 rows x 8 k values is converted and transposed in registers:
// packing is paid once per weight block but a scalar transpose cost ~8% of a prompt's GEMM.
template <typename W>
void pack_w(const uint8_t* w, size_t ldw, int64_t nr, int64_t k0, int64_t kc, float* wp) {
    int64_t k = 0;
    for (; k + 8 <= kc; k += 8) {
        for (int64_t h = 0; h < kNr; h += 8) {
            __m256 r[8];
            for (int64_t j = 0; j < 8; ++j)
                r[j] = h + j < nr ? W::load(w + (h + j) * ldw, k0 + k) : _mm256_setzero_ps();
            transpose8(r);
            for (int64_t c = 0; c < 8; ++c) _mm256_store_ps(wp + (k + c) * kNr + h, r[c]);
        }
    }
    for (; k < kc; ++k)
        for (int64_t j = 0; j < kNr; ++j)
            wp[k * kNr + j] = j < nr ? W::one(w + j * ldw, k0 + k) : 0;
}

// The same from weights in row tiles (backend/cpu/row_tiles.h; their rows are whole tiles): rows
// [r, r + kNr) of a tile of T rows, columns [0, kc) from col (the tile's column k0): each
// column's kNr elements are already consecutive, so packing is a conversion.
template <typename W>
void pack_w_from_tile(const uint8_t* col, int64_t T, int64_t r, int64_t kc, float* wp) {
    for (int64_t k = 0; k < kc; ++k) {
        const uint8_t* c = col + (size_t)(k * T) * W::kBytes;
        for (int64_t h = 0; h < kNr; h += 8) _mm256_store_ps(wp + k * kNr + h, W::load(c, r + h));
    }
}

// out[i][0..nr) (+)= sum_k xp[k][i] * wp[k][0..nr) for i < mr, then + add[i][0..nr) (rows ld_add
// floats apart) when add is set: the order in which a separate Add would round.
void micro_6x16(const float* xp, const float* wp, int64_t kc, float* out, int64_t ldo, int64_t mr,
                int64_t nr, bool accumulate, const float* add, int64_t ld_add) {
    Tile16<kMr> t;
    tile16_zero(t);
    tile16_fma(t, kc, xp, 1, kMr, wp, kNr);
#pragma GCC unroll 6
    for (int i = 0; i < kMr; ++i) {
        if (i >= mr) break;
        float* o = out + i * ldo;
        if (accumulate) {
            __m256 lo, hi;
            load_row16(o, nr, &lo, &hi);
            t.lo[i] = _mm256_add_ps(t.lo[i], lo);
            t.hi[i] = _mm256_add_ps(t.hi[i], hi);
        }
        if (add) {
            __m256 lo, hi;
            load_row16(add + i * ld_add, nr, &lo, &hi);
            t.lo[i] = _mm256_add_ps(t.lo[i], lo);
            t.hi[i] = _mm256_add_ps(t.hi[i], hi);
        }
        store_row16(o, nr, t.lo[i], t.hi[i]);
    }
}

// Weight rows and k values per packed block: 128 x 512 floats (256 KiB) stay in a Zen 3 L2 of
// 512 KiB beside the activation stream, and a k block of 512 halves the passes that reload and
// store the outputs (measured ~3% over 256 x 256 on one core, within the noise on two).
constexpr int64_t kNb = 128, kKc = 512;
static_assert(kNb * kKc <= kGemmNBlock * kGemmKBlock, "the packed block fits gemm_scratch_floats");
static_assert(kGemmColumnBlock % kKc == 0, "no k block straddles two column blocks");

template <typename W>
void gemm(const GemmArgs& a, int64_t n0, int64_t n1, float* scratch) {
    float* wp = reinterpret_cast<float*>(((uintptr_t)scratch + 63) & ~(uintptr_t)63);
    const int64_t n_panels = (a.M + kMr - 1) / kMr;
    for (int64_t nb = n0; nb < n1; nb += kNb) {
        const int64_t nb_end = std::min(n1, nb + kNb);
        const int64_t n_tiles = (nb_end - nb + kNr - 1) / kNr;
        for (int64_t k0 = 0; k0 < a.K; k0 += kKc) {
            const int64_t kc = std::min(kKc, a.K - k0);
            for (int64_t t = 0; t < n_tiles; ++t) {
                const int64_t nt = nb + t * kNr;
                if (a.row_tile > 0) {
                    pack_w_from_tile<W>(gemm_tile_at(a, W::kBytes, nt / a.row_tile, k0), a.row_tile,
                                        nt % a.row_tile, kc, wp + t * kc * kNr);
                    continue;
                }
                size_t ldw;
                const uint8_t* wt = gemm_weights_at(a, W::kBytes, nt, k0, &ldw);
                pack_w<W>(wt, ldw, std::min(kNr, nb_end - nt), 0, kc, wp + t * kc * kNr);
            }
            for (int64_t p = 0; p < n_panels; ++p) {
                const float* xp = a.xp + (p * a.K + k0) * kMr;
                float* out = a.out + p * kMr * a.ldo;
                const float* add = a.add && k0 + kc >= a.K ? a.add + p * kMr * a.ld_add : nullptr;
                const int64_t mr = std::min(kMr, a.M - p * kMr);
                const bool fetch_next = kc < a.K && p + 1 < n_panels;
                for (int64_t t = 0; t < n_tiles; ++t) {
                    const int64_t nt = nb + t * kNr;
                    if (fetch_next)
                        prefetch_panel_part(xp + a.K * kMr, (size_t)(kc * kMr) * sizeof(float), t,
                                            n_tiles);
                    micro_6x16(xp, wp + t * kc * kNr, kc, out + nt, a.ldo, mr,
                               std::min(kNr, nb_end - nt), k0 > 0, add ? add + nt : nullptr,
                               a.ld_add);
                }
            }
        }
    }
}

// Four weight rows against MX activation rows: 4 x MX accumulators, each weight vector loaded
// (and converted) once for all activation rows; tails in scalar.
template <typename W, int MX>
void gemv_rows(int64_t K, const uint8_t* w, size_t ldw, int64_t nrows, const float* x, int64_t ldx,
               float* out, int64_t ldo) {
    if constexpr (MX == 1) {
        // One activation row gains nothing from sharing it across weight rows (it stays in L1):
        // reading row after row keeps a single sequential stream for the hardware prefetcher.
        for (int64_t n = 0; n < nrows; ++n) {
            const uint8_t* r = w + n * ldw;
            __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(),
                   a3 = _mm256_setzero_ps();
            int64_t k = 0;
            for (; k + 32 <= K; k += 32) {
                a0 = _mm256_fmadd_ps(W::load(r, k), _mm256_loadu_ps(x + k), a0);
                a1 = _mm256_fmadd_ps(W::load(r, k + 8), _mm256_loadu_ps(x + k + 8), a1);
                a2 = _mm256_fmadd_ps(W::load(r, k + 16), _mm256_loadu_ps(x + k + 16), a2);
                a3 = _mm256_fmadd_ps(W::load(r, k + 24), _mm256_loadu_ps(x + k + 24), a3);
            }
            for (; k + 8 <= K; k += 8)
                a0 = _mm256_fmadd_ps(W::load(r, k), _mm256_loadu_ps(x + k), a0);
            float s = hsum_avx2(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
            for (; k < K; ++k) s += W::one(r, k) * x[k];
            out[n] = s;
        }
        return;
    }
    for (int64_t n = 0; n < nrows; n += 4) {
        const int rows = (int)std::min<int64_t>(4, nrows - n);
        const uint8_t* r = w + n * ldw;
        __m256 a[4][MX];
        for (int j = 0; j < 4; ++j)
            for (int m = 0; m < MX; ++m) a[j][m] = _mm256_setzero_ps();
        int64_t k = 0;
        for (; k + 8 <= K; k += 8) {
            __m256 xv[MX];
            for (int m = 0; m < MX; ++m) xv[m] = _mm256_loadu_ps(x + m * ldx + k);
            if (rows == 4) {
#pragma GCC unroll 4
                for (int j = 0; j < 4; ++j) {
                    const __m256 wv = W::load(r + j * ldw, k);
                    for (int m = 0; m < MX; ++m) a[j][m] = _mm256_fmadd_ps(wv, xv[m], a[j][m]);
                }
            } else {
                for (int j = 0; j < rows; ++j) {
                    const __m256 wv = W::load(r + j * ldw, k);
                    for (int m = 0; m < MX; ++m) a[j][m] = _mm256_fmadd_ps(wv, xv[m], a[j][m]);
                }
            }
        }
        for (int j = 0; j < rows; ++j)
            for (int m = 0; m < MX; ++m) {
                float s = hsum_avx2(a[j][m]);
                for (int64_t t = k; t < K; ++t) s += W::one(r + j * ldw, t) * x[m * ldx + t];
                out[m * ldo + n + j] = s;
            }
    }
}

template <typename W>
void gemv(int64_t K, const void* w, size_t ldw, int64_t nrows, const float* x, int64_t ldx,
          int64_t M, float* out, int64_t ldo) {
    const uint8_t* wb = static_cast<const uint8_t*>(w);
    switch (M) {
        case 1:
            return gemv_rows<W, 1>(K, wb, ldw, nrows, x, ldx, out, ldo);
        case 2:
            return gemv_rows<W, 2>(K, wb, ldw, nrows, x, ldx, out, ldo);
        case 3:
            return gemv_rows<W, 3>(K, wb, ldw, nrows, x, ldx, out, ldo);
        default:
            return gemv_rows<W, 4>(K, wb, ldw, nrows, x, ldx, out, ldo);
    }
}

}  // namespace

void install_avx2_gemm(CpuKernels& k) {
    k.gemm_mr = kMr;
    k.gemm_pack_x = gemm_pack_x;
    k.types[(size_t)DType::F32].gemm = gemm<F32W>;
    k.types[(size_t)DType::F16].gemm = gemm<F16W>;
    k.types[(size_t)DType::BF16].gemm = gemm<BF16W>;
    k.types[(size_t)DType::F32].gemv = gemv<F32W>;
    k.types[(size_t)DType::F16].gemv = gemv<F16W>;
    k.types[(size_t)DType::BF16].gemv = gemv<BF16W>;
}

}  // namespace lamina
