// AVX2/FMA/F16C versions of the CpuKernels entries (compiled with -mavx2 -mfma -mf16c): the
// element-wise, attention and panel bodies of simd/ at eight lanes, and the attention scores.
#include <immintrin.h>

#include "backend/cpu/kernels.h"
#include "backend/cpu/simd/attention.h"
#include "backend/cpu/simd/elementwise.h"
#include "backend/cpu/simd/panel.h"
#include "backend/cpu/simd/vec_avx2.h"

namespace lamina {
namespace {

// Attention scores keep their own AVX2 body for now: simd/attention.h's staged path is the same
// algorithm with the same inner loop, yet took 4% more instructions (callgrind) and ran 5-8%
// slower at d = 64 on the Zen 5 measured, for a reason not found yet. Keys four at a time:
// converted once into float rows on the stack, then dotted with the query rows of the group two
// at a time (eight independent sums: four keys x two queries, six loads per eight FMAs), four
// sums reduced together.
using simd::kAttnMaxD;
using simd::kAttnPrefetchRows;

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
                      _mm_mul_ps(simd::Avx2::reduce_add4(a[i][0], a[i][1], a[i][2], a[i][3]),
                                 _mm_set1_ps(scale)));
}

void attn_scores_f16(int64_t d, const uint16_t* k, int64_t stride, int64_t n, const float* q,
                     int64_t ldq, int64_t g, float scale, float* scores, int64_t lds) {
    int64_t j = 0;
    if (d <= kAttnMaxD && d % 8 == 0) {
        alignas(32) float kf[4][kAttnMaxD];
        for (; j + 4 <= n; j += 4) {
            for (int r = 0; r < 4; ++r) {
                if (j + kAttnPrefetchRows + r < n)
                    simd::prefetch_row<simd::Avx2>(k + (j + kAttnPrefetchRows + r) * stride, d);
                for (int64_t c = 0; c < d; c += 8)
                    _mm256_store_ps(kf[r] + c, simd::Avx2::load_f16(k + (j + r) * stride + c));
            }
            int64_t i = 0;
            for (; i + 2 <= g; i += 2)
                scores_4keys<2>(d, kf, q + i * ldq, ldq, scale, scores + i * lds + j, lds);
            if (i < g) scores_4keys<1>(d, kf, q + i * ldq, ldq, scale, scores + i * lds + j, lds);
        }
    }
    for (; j < n; ++j)
        for (int64_t i = 0; i < g; ++i)
            scores[i * lds + j] =
                scale * simd::dot<simd::Avx2, simd::AsF16>(d, k + j * stride, q + i * ldq);
}

}  // namespace

void install_avx2_kernels(CpuKernels& k) {
    simd::install_elementwise<simd::Avx2>(k);
    simd::install_attention<simd::Avx2>(k);
    k.attn_scores_f16 = attn_scores_f16;
    simd::install_panels<simd::Avx2>(k);
}

}  // namespace lamina
