// AVX-512 versions of the CpuKernels entries (compiled with -mavx512f/bw/dq/vl/vnni/bf16): the
// element-wise and attention bodies of simd/ at sixteen lanes, and the attention panel product.
// GCC 12 reports its own AVX-512 intrinsics (which start from _mm512_undefined_*) as "(maybe)
// uninitialized" once inlined; the warning is about the header, not this code.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include "backend/cpu/kernels.h"
#include "backend/cpu/simd/attention.h"
#include "backend/cpu/simd/elementwise.h"
#include "backend/cpu/simd/vec_avx512.h"

namespace lamina {
namespace {

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
    simd::install_elementwise<simd::Avx512>(k);
    simd::install_attention<simd::Avx512>(k);
    k.matmul_panel16 = matmul_panel16;
    k.matmul_panel16x2 = matmul_panel16x2;
}

}  // namespace lamina
