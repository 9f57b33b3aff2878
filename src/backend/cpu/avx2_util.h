// Small AVX2 helpers shared by the *_avx2.cpp kernels (include only from those files).
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

// The first n <= 16 floats of a row held in two vectors, loaded or stored. A whole row takes
// plain moves: vmaskmovps stores are microcoded on AMD cores (~10% of a GEMM's time there).
inline void load_row16(const float* p, int64_t n, __m256* lo, __m256* hi) {
    if (n == 16) {
        *lo = _mm256_loadu_ps(p);
        *hi = _mm256_loadu_ps(p + 8);
    } else {
        *lo = _mm256_maskload_ps(p, tail_mask(n));
        *hi = _mm256_maskload_ps(p + 8, tail_mask(n - 8));
    }
}
inline void store_row16(float* p, int64_t n, __m256 lo, __m256 hi) {
    if (n == 16) {
        _mm256_storeu_ps(p, lo);
        _mm256_storeu_ps(p + 8, hi);
    } else {
        _mm256_maskstore_ps(p, tail_mask(n), lo);
        _mm256_maskstore_ps(p + 8, tail_mask(n - 8), hi);
    }
}

// A register tile of MR rows x 16 columns (two vectors per row), accumulated over kk steps:
//   lo/hi[i] += a[i * a_row + k * a_step] * b[k * ldb + 0..16)
// The float GEMM reads a from packed panels (a_row 1, a_step MR), attention from rows in place
// (a_row the row stride, a_step 1). Every loop over the rows is unrolled so that the
// accumulators stay in registers (GCC otherwise keeps them in memory).
template <int MR>
struct Tile16 {
    __m256 lo[MR], hi[MR];
};

template <int MR>
__attribute__((always_inline)) inline void tile16_zero(Tile16<MR>& t) {
#pragma GCC unroll 6
    for (int i = 0; i < MR; ++i) t.lo[i] = t.hi[i] = _mm256_setzero_ps();
}

template <int MR>
__attribute__((always_inline)) inline void tile16_fma(Tile16<MR>& t, int64_t kk, const float* a,
                                                      int64_t a_row, int64_t a_step, const float* b,
                                                      int64_t ldb) {
    for (int64_t k = 0; k < kk; ++k) {
        const __m256 b0 = _mm256_loadu_ps(b + k * ldb), b1 = _mm256_loadu_ps(b + k * ldb + 8);
#pragma GCC unroll 6
        for (int i = 0; i < MR; ++i) {
            const __m256 x = _mm256_broadcast_ss(a + i * a_row + k * a_step);
            t.lo[i] = _mm256_fmadd_ps(b0, x, t.lo[i]);
            t.hi[i] = _mm256_fmadd_ps(b1, x, t.hi[i]);
        }
    }
}

}  // namespace lamina
