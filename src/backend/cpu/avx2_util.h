// Small AVX2 helpers for the integer *_avx2.cpp kernels that are not written over the vector
// traits (simd/vec_avx2.h); include only from those files.
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <cstdint>

namespace lamina {

// The sum of the eight lanes.
inline float hsum_avx2(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// Lanes [0, n) of a 32-bit vector set (n clamped to 0..8).
inline __m256i tail_mask(int64_t n) {
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)std::clamp<int64_t>(n, 0, 8)), idx);
}

// The first n <= 16 floats of a row held in two vectors, stored. A whole row takes plain moves:
// vmaskmovps stores are microcoded on AMD cores (~10% of a GEMM's time there).
inline void store_row16(float* p, int64_t n, __m256 lo, __m256 hi) {
    if (n == 16) {
        _mm256_storeu_ps(p, lo);
        _mm256_storeu_ps(p + 8, hi);
    } else {
        _mm256_maskstore_ps(p, tail_mask(n), lo);
        _mm256_maskstore_ps(p + 8, tail_mask(n - 8), hi);
    }
}

}  // namespace lamina
