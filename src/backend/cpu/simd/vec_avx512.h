// The vector traits (simd/vec_traits.h) for AVX-512 (F/BW/DQ/VL): sixteen floats in a zmm
// register, tails through mask registers. Include only from *_avx512.cpp files.
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "backend/cpu/simd/vec_traits.h"

// Its inline functions must be compiled for one instruction set only (simd/vec_traits.h).
#if !defined(__AVX512F__) || !defined(__AVX512BW__) || !defined(__AVX512VL__)
#error "simd/vec_avx512.h is for the *_avx512.cpp units only"
#endif

namespace lamina::simd {

struct Avx512 {
    using F = __m512;
    static constexpr int kLanes = 16;
    static constexpr int kRegisters = 32;

    static F zero() { return _mm512_setzero_ps(); }
    static F set1(float x) { return _mm512_set1_ps(x); }
    static F load(const float* p) { return _mm512_loadu_ps(p); }
    static void store(float* p, F v) { _mm512_storeu_ps(p, v); }
    static F load_aligned(const float* p) { return _mm512_load_ps(p); }
    static void store_aligned(float* p, F v) { _mm512_store_ps(p, v); }
    static F load_f16(const uint16_t* p) {
        return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    }
    static F widen_bf16(__m256i h) {
        return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
    }
    static F load_bf16(const uint16_t* p) {
        return widen_bf16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    }

    static F add(F a, F b) { return _mm512_add_ps(a, b); }
    static F sub(F a, F b) { return _mm512_sub_ps(a, b); }
    static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
    static F div(F a, F b) { return _mm512_div_ps(a, b); }
    static F min(F a, F b) { return _mm512_min_ps(a, b); }
    static F max(F a, F b) { return _mm512_max_ps(a, b); }
    static F fma(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
    static F fnma(F a, F b, F c) { return _mm512_fnmadd_ps(a, b, c); }

    static float reduce_add(F v) { return _mm512_reduce_add_ps(v); }
    static float reduce_max(F v) { return _mm512_reduce_max_ps(v); }
    static __m128 reduce_add4(F a0, F a1, F a2, F a3) {
        // Per 128-bit lane: pairs of a0/a1 and a2/a3 folded, then the four rows side by side.
        const __m512 t0 = _mm512_add_ps(_mm512_unpacklo_ps(a0, a1), _mm512_unpackhi_ps(a0, a1));
        const __m512 t1 = _mm512_add_ps(_mm512_unpacklo_ps(a2, a3), _mm512_unpackhi_ps(a2, a3));
        const __m512 u = _mm512_add_ps(
            _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t0), _mm512_castps_pd(t1))),
            _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t0), _mm512_castps_pd(t1))));
        const __m256 h =
            _mm256_add_ps(_mm512_castps512_ps256(u),
                          _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(u), 1)));
        return _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    }

    static F round_nearest(F v) {
        return _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    }
    static F pow2(F m) {
        return _mm512_castsi512_ps(
            _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(m), _mm512_set1_epi32(127)), 23));
    }

    // In-register 16x16 transpose: r[i] holds row i on entry, column i on exit.
    static void transpose(F r[16]) {
        __m512 t[16], u[16];
        for (int i = 0; i < 8; ++i) {
            t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
            t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
        }
        for (int i = 0; i < 4; ++i) {
            const __m512d a = _mm512_castps_pd(t[4 * i]), b = _mm512_castps_pd(t[4 * i + 1]);
            const __m512d c = _mm512_castps_pd(t[4 * i + 2]), d = _mm512_castps_pd(t[4 * i + 3]);
            u[4 * i + 0] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));  // column 0 of each lane
            u[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));  // column 1
            u[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));  // column 2
            u[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));  // column 3
        }
        // u[4*g + c] holds, in 128-bit lane L, rows 4g..4g+3 of column 4L + c.
        for (int c = 0; c < 4; ++c) {
            const __m512 v0 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x88);
            const __m512 v1 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x88);
            const __m512 w0 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xDD);
            const __m512 w1 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xDD);
            r[c] = _mm512_shuffle_f32x4(v0, v1, 0x88);
            r[8 + c] = _mm512_shuffle_f32x4(v0, v1, 0xDD);
            r[4 + c] = _mm512_shuffle_f32x4(w0, w1, 0x88);
            r[12 + c] = _mm512_shuffle_f32x4(w0, w1, 0xDD);
        }
    }

    // Integer and byte pieces for the quantized formats. I holds kLanes int32.
    using I = __m512i;
    static F abs(F v) { return _mm512_andnot_ps(_mm512_set1_ps(-0.0f), v); }
    static F trunc(F v) { return _mm512_roundscale_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC); }
    static F copysign(F mag, F sign_of) {
        return _mm512_or_ps(mag, _mm512_and_ps(sign_of, _mm512_set1_ps(-0.0f)));
    }
    // x + (a >= b ? y : 0), lane by lane.
    static F add_where_ge(F x, F a, F b, F y) {
        return _mm512_mask_add_ps(x, _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ), x, y);
    }
    static unsigned eq_mask(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
    static I cvtt_i32(F v) { return _mm512_cvttps_epi32(v); }
    static I cvt_i32(F v) { return _mm512_cvtps_epi32(v); }
    // kLanes bytes in an xmm, and its sixteen int8 to floats.
    static __m128i load_bytes(const void* p) {
        return _mm_loadu_si128(static_cast<const __m128i*>(p));
    }
    static F bytes_to_float(__m128i b) { return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(b)); }
    // 32 int32 (two vectors, in order) to 32 int8 with saturation, stored at p and returned as
    // two halves of 16.
    static void store_i8x32(void* p, const I* q, __m128i* halves) {
        halves[0] = _mm512_cvtsepi32_epi8(q[0]);
        halves[1] = _mm512_cvtsepi32_epi8(q[1]);
        _mm_storeu_si128(static_cast<__m128i*>(p), halves[0]);
        _mm_storeu_si128(static_cast<__m128i*>(p) + 1, halves[1]);
    }
    static void store_f16(uint16_t* p, F v) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(p),
                            _mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    }

    static __mmask16 mask(int64_t n) {
        return n >= 16 ? (__mmask16)0xFFFF : n <= 0 ? (__mmask16)0 : (__mmask16)((1u << n) - 1);
    }
    struct Tail {
        __mmask16 m;
        F load(const float* p) const { return _mm512_maskz_loadu_ps(m, p); }
        void store(float* p, F v) const { _mm512_mask_storeu_ps(p, m, v); }
        F keep(F v) const { return _mm512_maskz_mov_ps(m, v); }
        F load_f16(const uint16_t* p) const {
            return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, p));
        }
        F load_bf16(const uint16_t* p) const { return widen_bf16(_mm256_maskz_loadu_epi16(m, p)); }
    };
    static Tail tail(int64_t n) { return {mask(n)}; }
};

}  // namespace lamina::simd
