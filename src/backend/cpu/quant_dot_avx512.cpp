// AVX-512 VNNI Q8_0 and Q4_0 dots against Q8_0 (vpdpbusd on 256-bit halves, one block each).
#include <immintrin.h>

#include "backend/cpu/quant_dot.h"

namespace lamina {
namespace {

inline float scale(uint16_t a, uint16_t b) {
    return _cvtsh_ss(a) * _cvtsh_ss(b);
}

// vpdpbusd multiplies unsigned by signed bytes: |x| against y carrying x's sign gives x*y
// (exact for quants in [-127, 127], which is what Q8_0 quantization produces).
float dot_q8_0(int64_t n, const void* xv, const void* yv) {
    const BlockQ8_0* x = static_cast<const BlockQ8_0*>(xv);
    const BlockQ8_0* y = static_cast<const BlockQ8_0*>(yv);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    const int64_t nb = n / 32;
    int64_t b = 0;
    for (; b + 2 <= nb; b += 2) {
        for (int u = 0; u < 2; ++u) {
            const __m256i qx = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b + u].qs));
            const __m256i qy = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[b + u].qs));
            const __m256i s = _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_abs_epi8(qx),
                                                  _mm256_sign_epi8(qy, qx));
            __m256& acc = u == 0 ? acc0 : acc1;
            acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s),
                                  _mm256_set1_ps(scale(x[b + u].d, y[b + u].d)), acc);
        }
    }
    for (; b < nb; ++b) {
        const __m256i qx = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qs));
        const __m256i qy = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[b].qs));
        const __m256i s = _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_abs_epi8(qx),
                                              _mm256_sign_epi8(qy, qx));
        acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(scale(x[b].d, y[b].d)), acc0);
    }
    const __m256 a = _mm256_add_ps(acc0, acc1);
    __m128 r = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

// Nibbles are unsigned 0..15: sum((q - 8) * y) = sum(q * y) - 8 * sum(y), both by vpdpbusd.
float dot_q4_0(int64_t n, const void* xv, const void* yv) {
    const BlockQ4_0* x = static_cast<const BlockQ4_0*>(xv);
    const BlockQ8_0* y = static_cast<const BlockQ8_0*>(yv);
    const __m256i low = _mm256_set1_epi8(0x0f), ones = _mm256_set1_epi8(1);
    const __m256i eight = _mm256_set1_epi32(8);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / 32; ++b) {
        const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[b].qs));
        const __m256i both = _mm256_set_m128i(_mm_srli_epi16(packed, 4), packed);
        const __m256i q = _mm256_and_si256(both, low);
        const __m256i qy = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[b].qs));
        const __m256i s = _mm256_dpbusd_epi32(_mm256_setzero_si256(), q, qy);
        const __m256i t = _mm256_dpbusd_epi32(_mm256_setzero_si256(), ones, qy);
        const __m256i d = _mm256_sub_epi32(s, _mm256_mullo_epi32(t, eight));
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(d), _mm256_set1_ps(scale(x[b].d, y[b].d)), acc);
    }
    __m128 r = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

}  // namespace

QuantDots quant_dots_avx512() {
    return {dot_q8_0, dot_q4_0};
}

}  // namespace lamina
