// AVX-512 versions of the CpuKernels entries (compiled with -mavx512f/bw/dq/vl/vnni/bf16).
// GCC 12 reports its own AVX-512 intrinsics (which start from _mm512_undefined_*) as "(maybe)
// uninitialized" once inlined; the warning is about the header, not this code.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

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
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = tail_mask(n - i);
        _mm512_mask_storeu_ps(
            y + i, m,
            _mm512_fmadd_ps(va, _mm512_maskz_loadu_ps(m, x + i), _mm512_maskz_loadu_ps(m, y + i)));
    }
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
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = tail_mask(n - i);
        _mm512_mask_storeu_ps(
            y + i, m,
            _mm512_fmadd_ps(va, load_f16_masked(x + i, m), _mm512_maskz_loadu_ps(m, y + i)));
    }
}

float dot_bf16_f32(int64_t n, const uint16_t* x, const float* y) {
    __m512 a0 = _mm512_setzero_ps();
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = tail_mask(n - i);
        a0 = _mm512_fmadd_ps(load_bf16_masked(x + i, m), _mm512_maskz_loadu_ps(m, y + i), a0);
    }
    return _mm512_reduce_add_ps(a0);
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

}  // namespace

void install_avx512_kernels(CpuKernels& k) {
    k.dot_f32 = dot_f32;
    k.axpy_f32 = axpy_f32;
    k.dot_f16_f32 = dot_f16_f32;
    k.axpy_f16 = axpy_f16;
    k.vec_dot[(size_t)DType::F32] = vec_dot_f32;
    k.vec_dot[(size_t)DType::F16] = vec_dot_f16;
    k.vec_dot[(size_t)DType::BF16] = vec_dot_bf16;
}

}  // namespace lamina
