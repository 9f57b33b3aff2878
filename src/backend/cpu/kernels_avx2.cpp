// AVX2/FMA/F16C versions of the CpuKernels entries (compiled with -mavx2 -mfma -mf16c).
#include <immintrin.h>

#include "backend/cpu/kernels.h"

namespace lamina {
namespace {

inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

float dot_f32(int64_t n, const float* x, const float* y) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), a1);
    }
    for (; i + 8 <= n; i += 8)
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
    float sum = hsum(_mm256_add_ps(a0, a1));
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
    float sum = hsum(_mm256_add_ps(a0, a1));
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
    k.vec_dot[(size_t)DType::F16] = vec_dot_f16;
    k.vec_dot[(size_t)DType::F32] = vec_dot_f32;
}

}  // namespace lamina
