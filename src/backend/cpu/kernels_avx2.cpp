// AVX2/FMA/F16C versions of the CpuKernels entries (compiled with -mavx2 -mfma -mf16c).
#include <immintrin.h>

#include <algorithm>
#include <cmath>

#include "backend/cpu/avx2_util.h"
#include "backend/cpu/exp_poly.h"
#include "backend/cpu/kernels.h"

namespace lamina {
namespace {

float dot_f32(int64_t n, const float* x, const float* y) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), a1);
    }
    for (; i + 8 <= n; i += 8)
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
    float sum = hsum_avx2(_mm256_add_ps(a0, a1));
    for (; i < n; ++i) sum += x[i] * y[i];
    return sum;
}

void axpy_f32(int64_t n, float a, const float* x, float* y) {
    const __m256 va = _mm256_set1_ps(a);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i,
                         _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; ++i) y[i] += a * x[i];
}

inline __m256 load_f16(const uint16_t* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

float dot_f16_f32(int64_t n, const uint16_t* x, const float* y) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_fmadd_ps(load_f16(x + i), _mm256_loadu_ps(y + i), a0);
        a1 = _mm256_fmadd_ps(load_f16(x + i + 8), _mm256_loadu_ps(y + i + 8), a1);
    }
    for (; i + 8 <= n; i += 8) a0 = _mm256_fmadd_ps(load_f16(x + i), _mm256_loadu_ps(y + i), a0);
    float sum = hsum_avx2(_mm256_add_ps(a0, a1));
    for (; i < n; ++i) sum += _cvtsh_ss(x[i]) * y[i];
    return sum;
}

void axpy_f16(int64_t n, float a, const uint16_t* x, float* y) {
    const __m256 va = _mm256_set1_ps(a);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, load_f16(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; ++i) y[i] += a * _cvtsh_ss(x[i]);
}

// Cache rows of one head are a few hundred bytes apart (the other heads lie between), a stride
// the hardware prefetchers follow poorly; as in the AVX-512 kernels, rows are fetched ahead.
constexpr int64_t kAttnPrefetchRows = 16;
inline void prefetch_row(const uint16_t* row, int64_t d) {
    for (int64_t b = 0; b < d * 2; b += 64)
        _mm_prefetch(reinterpret_cast<const char*>(row) + b, _MM_HINT_T0);
}

// The four sums of a0..a3, in that order.
inline __m128 hsum4(__m256 a0, __m256 a1, __m256 a2, __m256 a3) {
    const __m256 t = _mm256_hadd_ps(_mm256_hadd_ps(a0, a1), _mm256_hadd_ps(a2, a3));
    return _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
}

// Keys four at a time: converted once into float rows on the stack, then dotted with the query
// rows of the group two at a time (eight independent sums: four keys x two queries, six loads per
// eight FMAs), four sums reduced together.
constexpr int64_t kAttnMaxD = 256;

template <int QR>
inline void scores_4keys(int64_t d, const float (*kf)[kAttnMaxD], const float* q, int64_t ldq,
                         float scale, float* scores, int64_t lds) {
    __m256 a[QR][4];
#pragma GCC unroll 2
    for (int i = 0; i < QR; ++i)
        for (int r = 0; r < 4; ++r) a[i][r] = _mm256_setzero_ps();
    for (int64_t c = 0; c < d; c += 8) {
        const __m256 k0 = _mm256_load_ps(kf[0] + c), k1 = _mm256_load_ps(kf[1] + c),
                     k2 = _mm256_load_ps(kf[2] + c), k3 = _mm256_load_ps(kf[3] + c);
#pragma GCC unroll 2
        for (int i = 0; i < QR; ++i) {
            const __m256 qc = _mm256_loadu_ps(q + i * ldq + c);
            a[i][0] = _mm256_fmadd_ps(k0, qc, a[i][0]);
            a[i][1] = _mm256_fmadd_ps(k1, qc, a[i][1]);
            a[i][2] = _mm256_fmadd_ps(k2, qc, a[i][2]);
            a[i][3] = _mm256_fmadd_ps(k3, qc, a[i][3]);
        }
    }
#pragma GCC unroll 2
    for (int i = 0; i < QR; ++i)
        _mm_storeu_ps(scores + i * lds,
                      _mm_mul_ps(hsum4(a[i][0], a[i][1], a[i][2], a[i][3]), _mm_set1_ps(scale)));
}

void attn_scores_f16(int64_t d, const uint16_t* k, int64_t stride, int64_t n, const float* q,
                     int64_t ldq, int64_t g, float scale, float* scores, int64_t lds) {
    int64_t j = 0;
    if (d <= kAttnMaxD && d % 8 == 0) {
        alignas(32) float kf[4][kAttnMaxD];
        for (; j + 4 <= n; j += 4) {
            for (int r = 0; r < 4; ++r) {
                if (j + kAttnPrefetchRows + r < n)
                    prefetch_row(k + (j + kAttnPrefetchRows + r) * stride, d);
                for (int64_t c = 0; c < d; c += 8)
                    _mm256_store_ps(kf[r] + c, load_f16(k + (j + r) * stride + c));
            }
            int64_t i = 0;
            for (; i + 2 <= g; i += 2)
                scores_4keys<2>(d, kf, q + i * ldq, ldq, scale, scores + i * lds + j, lds);
            if (i < g) scores_4keys<1>(d, kf, q + i * ldq, ldq, scale, scores + i * lds + j, lds);
        }
    }
    for (; j < n; ++j)
        for (int64_t i = 0; i < g; ++i)
            scores[i * lds + j] = scale * dot_f16_f32(d, k + j * stride, q + i * ldq);
}

// Value rows are converted to float a block of kValueKeys at a time (the block stays in L1), then
// each pair of query rows accumulates 32 output columns at a time over the block: every row is
// converted once for the whole group instead of once per pair and column block.
constexpr int64_t kValueKeys = 32;

// Two query rows' outputs, U x 8 columns from c, in registers over nk converted value rows.
template <int U>
void values_pair_columns(int64_t c, const float* w, int64_t ldw, int rows, const float* vf,
                         int64_t d, int64_t nk, float* acc, int64_t lda) {
    __m256 a[2][U];
    for (int r = 0; r < 2; ++r)
        for (int u = 0; u < U; ++u)
            a[r][u] = r < rows ? _mm256_loadu_ps(acc + r * lda + c + 8 * u) : _mm256_setzero_ps();
    const float* w1p = w + (rows > 1 ? ldw : 0);
    for (int64_t j = 0; j < nk; ++j) {
        const __m256 w0 = _mm256_broadcast_ss(w + j), w1 = _mm256_broadcast_ss(w1p + j);
#pragma GCC unroll 4
        for (int u = 0; u < U; ++u) {
            const __m256 x = _mm256_load_ps(vf + j * d + c + 8 * u);
            a[0][u] = _mm256_fmadd_ps(w0, x, a[0][u]);
            a[1][u] = _mm256_fmadd_ps(w1, x, a[1][u]);
        }
    }
    for (int r = 0; r < rows; ++r)
#pragma GCC unroll 4
        for (int u = 0; u < U; ++u) _mm256_storeu_ps(acc + r * lda + c + 8 * u, a[r][u]);
}

void attn_values_f16(int64_t d, const float* w, int64_t ldw, const uint16_t* v, int64_t stride,
                     int64_t n, int64_t g, float* acc, int64_t lda) {
    if (d > kAttnMaxD || d % 8 != 0) {
        for (int64_t i = 0; i < g; ++i)
            for (int64_t j = 0; j < n; ++j)
                axpy_f16(d, w[i * ldw + j], v + j * stride, acc + i * lda);
        return;
    }
    // Rows d floats apart: rows of kAttnMaxD would put a block's rows in a handful of L1 sets.
    alignas(32) float vf[kValueKeys * kAttnMaxD];
    for (int64_t j0 = 0; j0 < n; j0 += kValueKeys) {
        const int64_t nk = std::min(kValueKeys, n - j0);
        for (int64_t j = 0; j < nk; ++j) {
            if (j0 + j + kAttnPrefetchRows < n)
                prefetch_row(v + (j0 + j + kAttnPrefetchRows) * stride, d);
            for (int64_t c = 0; c < d; c += 8)
                _mm256_store_ps(vf + j * d + c, load_f16(v + (j0 + j) * stride + c));
        }
        for (int64_t i = 0; i < g; i += 2) {
            const int rows = g - i > 1 ? 2 : 1;
            int64_t c = 0;
            for (; c + 32 <= d; c += 32)
                values_pair_columns<4>(c, w + i * ldw + j0, ldw, rows, vf, d, nk, acc + i * lda,
                                       lda);
            for (; c < d; c += 8)
                values_pair_columns<1>(c, w + i * ldw + j0, ldw, rows, vf, d, nk, acc + i * lda,
                                       lda);
        }
    }
}

// MR rows of a against 16 columns of b, the float GEMM's register tile (avx2_util.h) reading a
// in place rather than from packed panels.
template <int MR>
void panel16_rows(int64_t kk, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
                  int64_t ldc) {
    Tile16<MR> t;
    tile16_zero(t);
    tile16_fma(t, kk, a, lda, 1, b, ldb);
#pragma GCC unroll 6
    for (int i = 0; i < MR; ++i) {
        _mm256_storeu_ps(c + i * ldc, t.lo[i]);
        _mm256_storeu_ps(c + i * ldc + 8, t.hi[i]);
    }
}

template <int MR>
void panel16_tail(int64_t kk, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
                  int64_t ldc, int64_t m) {
    if constexpr (MR > 0) {
        if (m == MR) return panel16_rows<MR>(kk, a, lda, b, ldb, c, ldc);
        panel16_tail<MR - 1>(kk, a, lda, b, ldb, c, ldc, m);
    }
}

// Six rows at a time while more than eight remain, then the rest as one tile of up to six or
// two halves: a tile of 1-2 rows has too few independent sums to cover the FMA latency, so a
// group of 8 runs as 4 + 4 rather than 6 + 2.
void matmul_panel16(int64_t m, int64_t kk, const float* a, int64_t lda, const float* b, int64_t ldb,
                    float* c, int64_t ldc) {
    int64_t i = 0;
    for (; m - i > 8; i += 6) panel16_rows<6>(kk, a + i * lda, lda, b, ldb, c + i * ldc, ldc);
    const int64_t r = m - i, first = r > 6 ? r / 2 : r;
    panel16_tail<6>(kk, a + i * lda, lda, b, ldb, c + i * ldc, ldc, first);
    if (r > first)
        panel16_tail<6>(kk, a + (i + first) * lda, lda, b, ldb, c + (i + first) * ldc, ldc,
                        r - first);
}

// The 6x16 tile already holds as many sums as AVX2 has registers for: two panels, one after
// the other.
void matmul_panel16x2(int64_t m, int64_t kk, const float* a, int64_t lda, const float* b0,
                      const float* b1, int64_t ldb, float* c, int64_t ldc) {
    matmul_panel16(m, kk, a, lda, b0, ldb, c, ldc);
    matmul_panel16(m, kk, a, lda, b1, ldb, c + CpuKernels::kPanel16, ldc);
}

float max_f32(int64_t n, const float* x) {
    __m256 m0 = _mm256_set1_ps(-INFINITY), m1 = m0;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        m0 = _mm256_max_ps(m0, _mm256_loadu_ps(x + i));
        m1 = _mm256_max_ps(m1, _mm256_loadu_ps(x + i + 8));
    }
    m0 = _mm256_max_ps(m0, m1);
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(m0), _mm256_extractf128_ps(m0, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    h = _mm_max_ss(h, _mm_movehdup_ps(h));
    float mx = _mm_cvtss_f32(h);
    for (; i < n; ++i) mx = x[i] > mx ? x[i] : mx;
    return mx;
}

// exp(x) by exp_poly.h's range reduction and polynomial, the same numbers at every width.
inline __m256 exp_ps(__m256 x) {
    namespace ep = exp_poly;
    x = _mm256_max_ps(_mm256_min_ps(x, _mm256_set1_ps(ep::kMax)), _mm256_set1_ps(ep::kMin));
    const __m256 m = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(ep::kLog2e)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(m, _mm256_set1_ps(ep::kLn2Hi), x);
    r = _mm256_fnmadd_ps(m, _mm256_set1_ps(ep::kLn2Lo), r);
    __m256 p = _mm256_set1_ps(ep::kTaylor[0]);
#pragma GCC unroll 7
    for (int i = 1; i < 8; ++i) p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(ep::kTaylor[i]));
    const __m256i pow2 =
        _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(m), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(pow2));
}

float exp_sum(int64_t n, float* x, float max) {
    const __m256 vmax = _mm256_set1_ps(max);
    __m256 sum = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 e = exp_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), vmax));
        _mm256_storeu_ps(x + i, e);
        sum = _mm256_add_ps(sum, e);
    }
    if (i < n) {
        // The tail through a masked load and store, so it takes the same polynomial.
        alignas(32) int32_t lanes[8];
        for (int l = 0; l < 8; ++l) lanes[l] = i + l < n ? -1 : 0;
        const __m256i mask = _mm256_load_si256(reinterpret_cast<const __m256i*>(lanes));
        const __m256 e = exp_ps(_mm256_sub_ps(_mm256_maskload_ps(x + i, mask), vmax));
        _mm256_maskstore_ps(x + i, mask, e);
        sum = _mm256_add_ps(sum, _mm256_and_ps(e, _mm256_castsi256_ps(mask)));
    }
    return hsum_avx2(sum);
}

// silu(g) * u = g * u / (1 + exp(-g)); exp_ps clamps its input, so a large |g| gives the
// limits 0 and g * u rather than inf or NaN.
inline __m256 swiglu_ps(__m256 g, __m256 u) {
    const __m256 e = exp_ps(_mm256_sub_ps(_mm256_setzero_ps(), g));
    return _mm256_div_ps(_mm256_mul_ps(g, u), _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

void swiglu(int64_t n, const float* g, const float* u, float* out) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(out + i, swiglu_ps(_mm256_loadu_ps(g + i), _mm256_loadu_ps(u + i)));
    if (i < n) {
        alignas(32) int32_t lanes[8];
        for (int l = 0; l < 8; ++l) lanes[l] = i + l < n ? -1 : 0;
        const __m256i mask = _mm256_load_si256(reinterpret_cast<const __m256i*>(lanes));
        _mm256_maskstore_ps(
            out + i, mask,
            swiglu_ps(_mm256_maskload_ps(g + i, mask), _mm256_maskload_ps(u + i, mask)));
    }
}

float vec_dot_f16(int64_t n, const void* x, const void* y) {
    return dot_f16_f32(n, static_cast<const uint16_t*>(x), static_cast<const float*>(y));
}
float vec_dot_f32(int64_t n, const void* x, const void* y) {
    return dot_f32(n, static_cast<const float*>(x), static_cast<const float*>(y));
}

}  // namespace

void install_avx2_kernels(CpuKernels& k) {
    k.dot_f32 = dot_f32;
    k.axpy_f32 = axpy_f32;
    k.dot_f16_f32 = dot_f16_f32;
    k.axpy_f16 = axpy_f16;
    k.attn_scores_f16 = attn_scores_f16;
    k.attn_values_f16 = attn_values_f16;
    k.matmul_panel16 = matmul_panel16;
    k.matmul_panel16x2 = matmul_panel16x2;
    k.max_f32 = max_f32;
    k.exp_sum = exp_sum;
    k.swiglu = swiglu;
    k.types[(size_t)DType::F16].vec_dot = vec_dot_f16;
    k.types[(size_t)DType::F32].vec_dot = vec_dot_f32;
}

}  // namespace lamina
