// AVX2/FMA/F16C versions of the CpuKernels entries (compiled with -mavx2 -mfma -mf16c): the
// element-wise and attention bodies of simd/ at eight lanes, and the attention panel product.
#include <immintrin.h>

#include "backend/cpu/avx2_util.h"
#include "backend/cpu/kernels.h"
#include "backend/cpu/simd/attention.h"
#include "backend/cpu/simd/elementwise.h"
#include "backend/cpu/simd/vec_avx2.h"

namespace lamina {
namespace {

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

}  // namespace

void install_avx2_kernels(CpuKernels& k) {
    simd::install_elementwise<simd::Avx2>(k);
    simd::install_attention<simd::Avx2>(k);
    k.matmul_panel16 = matmul_panel16;
    k.matmul_panel16x2 = matmul_panel16x2;
}

}  // namespace lamina
