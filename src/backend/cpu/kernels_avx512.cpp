// AVX-512 versions of the CpuKernels entries (compiled with -mavx512f/bw/dq/vl/vnni/bf16).
// GCC 12 reports its own AVX-512 intrinsics (which start from _mm512_undefined_*) as "(maybe)
// uninitialized" once inlined; the warning is about the header, not this code.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include <algorithm>

#include "backend/cpu/exp_poly.h"
#include "backend/cpu/kernels.h"

namespace lamina {
namespace {

inline __mmask16 tail_mask(int64_t n) {
    return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1);
}
inline __m512 load_f16(const uint16_t* p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}
inline __m512 load_f16_masked(const uint16_t* p, __mmask16 m) {
    return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, p));
}
inline __m512 load_bf16_masked(const uint16_t* p, __mmask16 m) {
    return _mm512_castsi512_ps(
        _mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, p)), 16));
}

// Element-wise loops over [0, n): whole vectors through plain loads and stores, the last partial
// one masked (masked stores are slow on Zen 5, so they are kept to the tail). The body is called
// as f(i, lanes) with lanes.load / load_f16 / store / keep (zeroes the lanes past the tail).
struct FullLanes {
    static __m512 load(const float* p) { return _mm512_loadu_ps(p); }
    static __m512 load_f16(const uint16_t* p) { return lamina::load_f16(p); }
    static void store(float* p, __m512 v) { _mm512_storeu_ps(p, v); }
    static __m512 keep(__m512 v) { return v; }
};
struct TailLanes {
    __mmask16 m;
    __m512 load(const float* p) const { return _mm512_maskz_loadu_ps(m, p); }
    __m512 load_f16(const uint16_t* p) const { return load_f16_masked(p, m); }
    void store(float* p, __m512 v) const { _mm512_mask_storeu_ps(p, m, v); }
    __m512 keep(__m512 v) const { return _mm512_maskz_mov_ps(m, v); }
};
template <typename F>
inline void for_each_vector(int64_t n, F&& f) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) f(i, FullLanes{});
    if (i < n) f(i, TailLanes{tail_mask(n - i)});
}

// Two accumulators hide FMA latency for the long rows of matmul fallbacks; the masked tail
// needs no scalar loop.
float dot_f32(int64_t n, const float* x, const float* y) {
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i), a0);
        a1 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i + 16), _mm512_loadu_ps(y + i + 16), a1);
    }
    for (; i < n; i += 16) {
        const __mmask16 m = tail_mask(n - i);
        a0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, x + i), _mm512_maskz_loadu_ps(m, y + i), a0);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(a0, a1));
}

void axpy_f32(int64_t n, float a, const float* x, float* y) {
    const __m512 va = _mm512_set1_ps(a);
    for_each_vector(n, [&](int64_t i, auto lanes) {
        lanes.store(y + i, _mm512_fmadd_ps(va, lanes.load(x + i), lanes.load(y + i)));
    });
}

float dot_f16_f32(int64_t n, const uint16_t* x, const float* y) {
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm512_fmadd_ps(load_f16(x + i), _mm512_loadu_ps(y + i), a0);
        a1 = _mm512_fmadd_ps(load_f16(x + i + 16), _mm512_loadu_ps(y + i + 16), a1);
    }
    for (; i < n; i += 16) {
        const __mmask16 m = tail_mask(n - i);
        a0 = _mm512_fmadd_ps(load_f16_masked(x + i, m), _mm512_maskz_loadu_ps(m, y + i), a0);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(a0, a1));
}

void axpy_f16(int64_t n, float a, const uint16_t* x, float* y) {
    const __m512 va = _mm512_set1_ps(a);
    for_each_vector(n, [&](int64_t i, auto lanes) {
        lanes.store(y + i, _mm512_fmadd_ps(va, lanes.load_f16(x + i), lanes.load(y + i)));
    });
}

float dot_bf16_f32(int64_t n, const uint16_t* x, const float* y) {
    __m512 a0 = _mm512_setzero_ps();
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = tail_mask(n - i);
        a0 = _mm512_fmadd_ps(load_bf16_masked(x + i, m), _mm512_maskz_loadu_ps(m, y + i), a0);
    }
    return _mm512_reduce_add_ps(a0);
}

// The four sums of a0..a3, in that order.
inline __m128 hsum4(__m512 a0, __m512 a1, __m512 a2, __m512 a3) {
    // Per 128-bit lane: pairs of a0/a1 and a2/a3 folded, then the four rows side by side.
    const __m512 t0 = _mm512_add_ps(_mm512_unpacklo_ps(a0, a1), _mm512_unpackhi_ps(a0, a1));
    const __m512 t1 = _mm512_add_ps(_mm512_unpacklo_ps(a2, a3), _mm512_unpackhi_ps(a2, a3));
    const __m512 u = _mm512_add_ps(
        _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t0), _mm512_castps_pd(t1))),
        _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t0), _mm512_castps_pd(t1))));
    const __m256 h =
        _mm256_add_ps(_mm512_castps512_ps256(u),
                      _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(u), 1)));
    return _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
}

// Keys four at a time: converted once into float rows on the stack, then dotted with every
// query row of the group from L1, four sums reduced together.
constexpr int64_t kAttnMaxD = 256;

// Cache rows of one head are a few hundred bytes apart (the other heads lie between), a stride
// the hardware prefetchers follow poorly: reading a 4096-deep cache from memory took 4x longer
// without these prefetches (measured on Zen 5; 8 to 32 rows ahead all do as well).
constexpr int64_t kAttnPrefetchRows = 16;
inline void prefetch_row(const uint16_t* row, int64_t d) {
    for (int64_t b = 0; b < d * 2; b += 64)
        _mm_prefetch(reinterpret_cast<const char*>(row) + b, _MM_HINT_T0);
}

// For head sizes of CH whole vectors (64 and 128, the usual ones): KEYS keys converted into
// registers (KEYS x CH <= 16 zmm) and dotted with each query row straight from there, instead of
// through the stack, where every multiply-add needed a load and the load ports, not the FMAs,
// set the pace.
template <int CH, int KEYS>
void attn_scores_regs(const uint16_t* k, int64_t stride, int64_t n, const float* q, int64_t ldq,
                      int64_t g, float scale, float* scores, int64_t lds) {
    static_assert(KEYS * CH <= 16 && (KEYS == 2 || KEYS == 4));
    constexpr int64_t d = 16 * CH;
    const __m128 vscale = _mm_set1_ps(scale);
    int64_t j = 0;
    for (; j + KEYS <= n; j += KEYS) {
        for (int r = 0; r < KEYS; ++r)
            if (j + kAttnPrefetchRows + r < n)
                prefetch_row(k + (j + kAttnPrefetchRows + r) * stride, d);
        __m512 kr[KEYS][CH];
#pragma GCC unroll 4
        for (int r = 0; r < KEYS; ++r)
#pragma GCC unroll 8
            for (int c = 0; c < CH; ++c)
                kr[r][c] = _mm512_cvtph_ps(_mm256_loadu_si256(
                    reinterpret_cast<const __m256i*>(k + (j + r) * stride + 16 * c)));
        for (int64_t i = 0; i < g; ++i) {
            const float* qi = q + i * ldq;
            __m512 a[4];
#pragma GCC unroll 4
            for (int r = 0; r < 4; ++r) a[r] = _mm512_setzero_ps();
#pragma GCC unroll 8
            for (int c = 0; c < CH; ++c) {
                const __m512 qc = _mm512_loadu_ps(qi + 16 * c);
#pragma GCC unroll 4
                for (int r = 0; r < KEYS; ++r) a[r] = _mm512_fmadd_ps(kr[r][c], qc, a[r]);
            }
            const __m128 sums = _mm_mul_ps(hsum4(a[0], a[1], a[2], a[3]), vscale);
            if constexpr (KEYS == 4)
                _mm_storeu_ps(scores + i * lds + j, sums);
            else
                _mm_storel_pi(reinterpret_cast<__m64*>(scores + i * lds + j), sums);
        }
    }
    for (; j < n; ++j)
        for (int64_t i = 0; i < g; ++i)
            scores[i * lds + j] = scale * dot_f16_f32(d, k + j * stride, q + i * ldq);
}

void attn_scores_f16(int64_t d, const uint16_t* k, int64_t stride, int64_t n, const float* q,
                     int64_t ldq, int64_t g, float scale, float* scores, int64_t lds) {
    if (d == 64) return attn_scores_regs<4, 4>(k, stride, n, q, ldq, g, scale, scores, lds);
    if (d == 128) return attn_scores_regs<8, 2>(k, stride, n, q, ldq, g, scale, scores, lds);
    if (d > kAttnMaxD) {
        for (int64_t i = 0; i < g; ++i)
            for (int64_t j = 0; j < n; ++j)
                scores[i * lds + j] = scale * dot_f16_f32(d, k + j * stride, q + i * ldq);
        return;
    }
    alignas(64) float kf[4][kAttnMaxD];
    const int64_t chunks = (d + 15) / 16;
    const __mmask16 last = tail_mask(d - 16 * (chunks - 1));
    int64_t j = 0;
    for (; j + 4 <= n; j += 4) {
        for (int r = 0; r < 4; ++r)
            if (j + kAttnPrefetchRows + r < n)
                prefetch_row(k + (j + kAttnPrefetchRows + r) * stride, d);
        for (int r = 0; r < 4; ++r)
            for (int64_t c = 0; c < chunks; ++c)
                _mm512_store_ps(kf[r] + 16 * c,
                                load_f16_masked(k + (j + r) * stride + 16 * c,
                                                c + 1 < chunks ? (__mmask16)0xFFFF : last));
        for (int64_t i = 0; i < g; ++i) {
            const float* qi = q + i * ldq;
            __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
            for (int64_t c = 0; c < chunks; ++c) {
                const __m512 qc =
                    _mm512_maskz_loadu_ps(c + 1 < chunks ? (__mmask16)0xFFFF : last, qi + 16 * c);
                a0 = _mm512_fmadd_ps(_mm512_load_ps(kf[0] + 16 * c), qc, a0);
                a1 = _mm512_fmadd_ps(_mm512_load_ps(kf[1] + 16 * c), qc, a1);
                a2 = _mm512_fmadd_ps(_mm512_load_ps(kf[2] + 16 * c), qc, a2);
                a3 = _mm512_fmadd_ps(_mm512_load_ps(kf[3] + 16 * c), qc, a3);
            }
            _mm_storeu_ps(scores + i * lds + j,
                          _mm_mul_ps(hsum4(a0, a1, a2, a3), _mm_set1_ps(scale)));
        }
    }
    for (; j < n; ++j)
        for (int64_t i = 0; i < g; ++i)
            scores[i * lds + j] = scale * dot_f16_f32(d, k + j * stride, q + i * ldq);
}

// R query rows' outputs in registers, 32 floats of each at a time, while the value rows
// stream past converted once for all of them. Blocks of kValueBlock rows take every 32-column
// strip in turn, so the rows come from memory while all of the block's work runs: with one
// strip over all rows at a time, the first strip waited on memory for the whole of each row
// and the others computed from L2 (from memory, the value pass took 2.5x the score pass).
constexpr int64_t kValueBlock = 64;
template <int R>
void attn_values_rows(int64_t d, const float* w, int64_t ldw, const uint16_t* v, int64_t stride,
                      int64_t n, float* acc, int64_t lda) {
    for (int64_t j0 = 0; j0 < n; j0 += kValueBlock)
        for (int64_t c = 0; c < d; c += 32) {
            const __mmask16 m0 = tail_mask(d - c), m1 = d - c > 16 ? tail_mask(d - c - 16) : 0;
            __m512 a[R][2];
            for (int r = 0; r < R; ++r) {
                a[r][0] = _mm512_maskz_loadu_ps(m0, acc + r * lda + c);
                a[r][1] = _mm512_maskz_loadu_ps(m1, acc + r * lda + c + 16);
            }
            for (int64_t j = j0; j < std::min(n, j0 + kValueBlock); ++j) {
                if (j + kAttnPrefetchRows < n && c == 0)
                    prefetch_row(v + (j + kAttnPrefetchRows) * stride, d);
                const uint16_t* row = v + j * stride + c;
                const __m512 v0 = load_f16_masked(row, m0), v1 = load_f16_masked(row + 16, m1);
                for (int r = 0; r < R; ++r) {
                    const __m512 wr = _mm512_set1_ps(w[r * ldw + j]);
                    a[r][0] = _mm512_fmadd_ps(wr, v0, a[r][0]);
                    a[r][1] = _mm512_fmadd_ps(wr, v1, a[r][1]);
                }
            }
            for (int r = 0; r < R; ++r) {
                _mm512_mask_storeu_ps(acc + r * lda + c, m0, a[r][0]);
                _mm512_mask_storeu_ps(acc + r * lda + c + 16, m1, a[r][1]);
            }
        }
}

void attn_values_f16(int64_t d, const float* w, int64_t ldw, const uint16_t* v, int64_t stride,
                     int64_t n, int64_t g, float* acc, int64_t lda) {
    using Rows = void (*)(int64_t, const float*, int64_t, const uint16_t*, int64_t, int64_t, float*,
                          int64_t);
    static constexpr Rows kByRows[9] = {nullptr,
                                        attn_values_rows<1>,
                                        attn_values_rows<2>,
                                        attn_values_rows<3>,
                                        attn_values_rows<4>,
                                        attn_values_rows<5>,
                                        attn_values_rows<6>,
                                        attn_values_rows<7>,
                                        attn_values_rows<8>};
    for (int64_t i = 0; i < g; i += 8) {
        const int64_t rows = g - i < 8 ? g - i : 8;
        kByRows[rows](d, w + i * ldw, ldw, v, stride, n, acc + i * lda, lda);
    }
}

float vec_dot_f32(int64_t n, const void* x, const void* y) {
    return dot_f32(n, static_cast<const float*>(x), static_cast<const float*>(y));
}
float vec_dot_f16(int64_t n, const void* x, const void* y) {
    return dot_f16_f32(n, static_cast<const uint16_t*>(x), static_cast<const float*>(y));
}
float vec_dot_bf16(int64_t n, const void* x, const void* y) {
    return dot_bf16_f32(n, static_cast<const uint16_t*>(x), static_cast<const float*>(y));
}

// MR rows of a against 16 columns of b, one zmm of sums per row; even and odd k go to separate
// sums so that a tile of eight rows keeps sixteen FMAs in flight.
template <int MR>
void panel16_rows(int64_t kk, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
                  int64_t ldc) {
    __m512 s0[MR], s1[MR];
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) s0[i] = s1[i] = _mm512_setzero_ps();
    int64_t k = 0;
    for (; k + 2 <= kk; k += 2) {
        const __m512 b0 = _mm512_loadu_ps(b + k * ldb), b1 = _mm512_loadu_ps(b + (k + 1) * ldb);
#pragma GCC unroll 8
        for (int i = 0; i < MR; ++i) {
            s0[i] = _mm512_fmadd_ps(_mm512_set1_ps(a[i * lda + k]), b0, s0[i]);
            s1[i] = _mm512_fmadd_ps(_mm512_set1_ps(a[i * lda + k + 1]), b1, s1[i]);
        }
    }
    if (k < kk) {
        const __m512 b0 = _mm512_loadu_ps(b + k * ldb);
#pragma GCC unroll 8
        for (int i = 0; i < MR; ++i)
            s0[i] = _mm512_fmadd_ps(_mm512_set1_ps(a[i * lda + k]), b0, s0[i]);
    }
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) _mm512_storeu_ps(c + i * ldc, _mm512_add_ps(s0[i], s1[i]));
}

template <int MR>
void panel16_tail(int64_t kk, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
                  int64_t ldc, int64_t m) {
    if constexpr (MR > 0) {
        if (m == MR) return panel16_rows<MR>(kk, a, lda, b, ldb, c, ldc);
        panel16_tail<MR - 1>(kk, a, lda, b, ldb, c, ldc, m);
    }
}

void matmul_panel16(int64_t m, int64_t kk, const float* a, int64_t lda, const float* b, int64_t ldb,
                    float* c, int64_t ldc) {
    int64_t i = 0;
    for (; i + 8 <= m; i += 8) panel16_rows<8>(kk, a + i * lda, lda, b, ldb, c + i * ldc, ldc);
    if (i < m) panel16_tail<7>(kk, a + i * lda, lda, b, ldb, c + i * ldc, ldc, m - i);
}

// exp(x) by exp_poly.h's range reduction and polynomial, the same numbers at every width.
inline __m512 exp_ps(__m512 x) {
    namespace ep = exp_poly;
    x = _mm512_max_ps(_mm512_min_ps(x, _mm512_set1_ps(ep::kMax)), _mm512_set1_ps(ep::kMin));
    const __m512 m = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(ep::kLog2e)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(m, _mm512_set1_ps(ep::kLn2Hi), x);
    r = _mm512_fnmadd_ps(m, _mm512_set1_ps(ep::kLn2Lo), r);
    __m512 p = _mm512_set1_ps(ep::kTaylor[0]);
#pragma GCC unroll 7
    for (int i = 1; i < 8; ++i) p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(ep::kTaylor[i]));
    const __m512i pow2 =
        _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(m), _mm512_set1_epi32(127)), 23);
    return _mm512_mul_ps(p, _mm512_castsi512_ps(pow2));
}

// The tail through masked loads and stores, so every element takes the same polynomial.
float exp_sum(int64_t n, float* x, float max) {
    const __m512 vmax = _mm512_set1_ps(max);
    __m512 sum = _mm512_setzero_ps();
    for_each_vector(n, [&](int64_t i, auto lanes) {
        const __m512 e = exp_ps(_mm512_sub_ps(lanes.load(x + i), vmax));
        lanes.store(x + i, e);
        sum = _mm512_add_ps(sum, lanes.keep(e));
    });
    return _mm512_reduce_add_ps(sum);
}

void swiglu(int64_t n, const float* g, const float* u, float* out) {
    for_each_vector(n, [&](int64_t i, auto lanes) {
        const __m512 gv = lanes.load(g + i), uv = lanes.load(u + i);
        const __m512 e = exp_ps(_mm512_sub_ps(_mm512_setzero_ps(), gv));
        lanes.store(out + i,
                    _mm512_div_ps(_mm512_mul_ps(gv, uv), _mm512_add_ps(_mm512_set1_ps(1.0f), e)));
    });
}

// MR rows of a against two 16-column panels: two zmm of sums per row, each element of a
// broadcast once for both (8 rows: 16 independent sums, 10 loads per 16 FMAs).
template <int MR>
void panel16x2_rows(int64_t kk, const float* a, int64_t lda, const float* b0, const float* b1,
                    int64_t ldb, float* c, int64_t ldc) {
    __m512 s0[MR], s1[MR];
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) s0[i] = s1[i] = _mm512_setzero_ps();
    for (int64_t k = 0; k < kk; ++k) {
        const __m512 w0 = _mm512_loadu_ps(b0 + k * ldb), w1 = _mm512_loadu_ps(b1 + k * ldb);
#pragma GCC unroll 8
        for (int i = 0; i < MR; ++i) {
            const __m512 x = _mm512_set1_ps(a[i * lda + k]);
            s0[i] = _mm512_fmadd_ps(x, w0, s0[i]);
            s1[i] = _mm512_fmadd_ps(x, w1, s1[i]);
        }
    }
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
        _mm512_storeu_ps(c + i * ldc, s0[i]);
        _mm512_storeu_ps(c + i * ldc + 16, s1[i]);
    }
}

template <int MR>
void panel16x2_tail(int64_t kk, const float* a, int64_t lda, const float* b0, const float* b1,
                    int64_t ldb, float* c, int64_t ldc, int64_t m) {
    if constexpr (MR > 0) {
        if (m == MR) return panel16x2_rows<MR>(kk, a, lda, b0, b1, ldb, c, ldc);
        panel16x2_tail<MR - 1>(kk, a, lda, b0, b1, ldb, c, ldc, m);
    }
}

void matmul_panel16x2(int64_t m, int64_t kk, const float* a, int64_t lda, const float* b0,
                      const float* b1, int64_t ldb, float* c, int64_t ldc) {
    int64_t i = 0;
    for (; i + 8 <= m; i += 8)
        panel16x2_rows<8>(kk, a + i * lda, lda, b0, b1, ldb, c + i * ldc, ldc);
    if (i < m) panel16x2_tail<7>(kk, a + i * lda, lda, b0, b1, ldb, c + i * ldc, ldc, m - i);
}

}  // namespace

void install_avx512_kernels(CpuKernels& k) {
    k.dot_f32 = dot_f32;
    k.axpy_f32 = axpy_f32;
    k.dot_f16_f32 = dot_f16_f32;
    k.axpy_f16 = axpy_f16;
    k.attn_scores_f16 = attn_scores_f16;
    k.attn_values_f16 = attn_values_f16;
    k.matmul_panel16 = matmul_panel16;
    k.matmul_panel16x2 = matmul_panel16x2;
    k.exp_sum = exp_sum;
    k.swiglu = swiglu;
    k.types[(size_t)DType::F32].vec_dot = vec_dot_f32;
    k.types[(size_t)DType::F16].vec_dot = vec_dot_f16;
    k.types[(size_t)DType::BF16].vec_dot = vec_dot_bf16;
}

}  // namespace lamina
