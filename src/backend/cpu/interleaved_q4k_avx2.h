// 256-bit code shared by the AVX2 and AVX-512 eight-row Q4_K kernels (backend/cpu/interleave.h);
// include only from *_avx2.cpp and *_avx512.cpp files.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace lamina {

// Bytes [8 j + r] of eight rows' values for sub-blocks j = 0-3 (lo) and 4-7 (hi).
struct Q4KRowBytes {
    __m256i lo, hi;
};

// The 6-bit scales and mins of an interleaved Q4_K column's eight rows (its 12 scale bytes,
// stored [8 i + r] at col + 32), unpacked as bytes [8 j + r]. Q4_K's packing: sub-block j < 4 keeps
// the low six bits of byte j (scale) or j + 4 (min); j >= 4 takes the low (scale) or high (min)
// nibble of byte j + 4 with the top two bits of byte j - 4 (scale) or j (min) above it. Scales and
// mins are separate calls so a kernel can unpack the mins after its main loop, when registers are
// free.
inline Q4KRowBytes unpack_q4k_scales8(const uint8_t* col) {
    const __m256i v0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(col + 32));
    const __m256i v2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(col + 96));
    return {_mm256_and_si256(v0, _mm256_set1_epi8(0x3f)),
            _mm256_or_si256(_mm256_and_si256(v2, _mm256_set1_epi8(0x0f)),
                            _mm256_and_si256(_mm256_srli_epi16(v0, 2), _mm256_set1_epi8(0x30)))};
}
inline Q4KRowBytes unpack_q4k_mins8(const uint8_t* col) {
    const __m256i v1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(col + 64));
    const __m256i v2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(col + 96));
    return {_mm256_and_si256(v1, _mm256_set1_epi8(0x3f)),
            _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(v2, 4), _mm256_set1_epi8(0x0f)),
                            _mm256_and_si256(_mm256_srli_epi16(v1, 2), _mm256_set1_epi8(0x30)))};
}

}  // namespace lamina
