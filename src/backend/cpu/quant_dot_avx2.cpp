// AVX2 Q8_0 and Q4_0 dots against Q8_0 (maddubs: unsigned x signed byte pairs to int16).
#include <immintrin.h>

#include "backend/cpu/quant_dot.h"

namespace lamina {
namespace {

inline float scale(uint16_t a, uint16_t b) {
    return _cvtsh_ss(a) * _cvtsh_ss(b);
}

inline float hsum(__m256 a) {
    __m128 r = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

// Sum of u8 x s8 products in groups of four, as int32 (pairs stay below int16 saturation:
// 2 * 127 * 127 and 2 * 15 * 128 both fit).
inline __m256i dot_u8_s8(__m256i u, __m256i s) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
}

float dot_q8_0(int64_t n, const void* xv, const void* yv) {
    const BlockQ8_0* x = static_cast<const BlockQ8_0*>(xv);
    const BlockQ8_0* y = static_cast<const BlockQ8_0*>(yv);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / 32; ++b) {
        const __m256i qx = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qs));
        const __m256i qy = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[b].qs));
        const __m256i s = dot_u8_s8(_mm256_abs_epi8(qx), _mm256_sign_epi8(qy, qx));
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(scale(x[b].d, y[b].d)), acc);
    }
    return hsum(acc);
}

float dot_q4_0(int64_t n, const void* xv, const void* yv) {
    const BlockQ4_0* x = static_cast<const BlockQ4_0*>(xv);
    const BlockQ8_0* y = static_cast<const BlockQ8_0*>(yv);
    const __m256i low = _mm256_set1_epi8(0x0f), eight = _mm256_set1_epi8(8);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / 32; ++b) {
        const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[b].qs));
        const __m256i both = _mm256_set_m128i(_mm_srli_epi16(packed, 4), packed);
        // q - 8 in [-8, 7], then the same sign trick as Q8_0.
        const __m256i qx = _mm256_sub_epi8(_mm256_and_si256(both, low), eight);
        const __m256i qy = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[b].qs));
        const __m256i s = dot_u8_s8(_mm256_abs_epi8(qx), _mm256_sign_epi8(qy, qx));
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(scale(x[b].d, y[b].d)), acc);
    }
    return hsum(acc);
}

}  // namespace

QuantDots quant_dots_avx2() {
    return {dot_q8_0, dot_q4_0};
}

}  // namespace lamina
