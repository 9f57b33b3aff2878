// The vector traits (simd/vec_traits.h) for AVX2/FMA/F16C: eight floats in a ymm register.
// Include only from *_avx2.cpp files.
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <cstdint>

#include "backend/cpu/simd/vec_traits.h"

// Its inline functions must be compiled for one instruction set only (simd/vec_traits.h).
#if !defined(__AVX2__) || !defined(__FMA__) || !defined(__F16C__) || defined(__AVX512F__)
#error "simd/vec_avx2.h is for the *_avx2.cpp units (-mavx2 -mfma -mf16c) only"
#endif

namespace lamina::simd {

struct Avx2 {
    using F = __m256;
    static constexpr int kLanes = 8;
    static constexpr int kRegisters = 16;

    static F zero() { return _mm256_setzero_ps(); }
    static F set1(float x) { return _mm256_set1_ps(x); }
    static F load(const float* p) { return _mm256_loadu_ps(p); }
    static void store(float* p, F v) { _mm256_storeu_ps(p, v); }
    static F load_aligned(const float* p) { return _mm256_load_ps(p); }
    static void store_aligned(float* p, F v) { _mm256_store_ps(p, v); }
    static F load_f16(const uint16_t* p) {
        return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    }
    static F widen_bf16(__m128i h) {
        return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
    }
    static F load_bf16(const uint16_t* p) {
        return widen_bf16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    }

    static F add(F a, F b) { return _mm256_add_ps(a, b); }
    static F sub(F a, F b) { return _mm256_sub_ps(a, b); }
    static F mul(F a, F b) { return _mm256_mul_ps(a, b); }
    static F div(F a, F b) { return _mm256_div_ps(a, b); }
    static F min(F a, F b) { return _mm256_min_ps(a, b); }
    static F max(F a, F b) { return _mm256_max_ps(a, b); }
    static F fma(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
    static F fnma(F a, F b, F c) { return _mm256_fnmadd_ps(a, b, c); }

    static float reduce_add(F v) {
        __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
        s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        s = _mm_add_ss(s, _mm_movehdup_ps(s));
        return _mm_cvtss_f32(s);
    }
    static float reduce_max(F v) {
        __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
        m = _mm_max_ps(m, _mm_movehl_ps(m, m));
        m = _mm_max_ss(m, _mm_movehdup_ps(m));
        return _mm_cvtss_f32(m);
    }
    static __m128 reduce_add4(F a0, F a1, F a2, F a3) {
        const __m256 t = _mm256_hadd_ps(_mm256_hadd_ps(a0, a1), _mm256_hadd_ps(a2, a3));
        return _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
    }

    static F round_nearest(F v) {
        return _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    }
    static F pow2(F m) {
        return _mm256_castsi256_ps(
            _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(m), _mm256_set1_epi32(127)), 23));
    }

    // In-register 8x8 transpose: r[i] holds row i on entry, column i on exit.
    static void transpose(F r[8]) {
        __m256 t[8], u[8];
        for (int i = 0; i < 8; i += 2) {
            t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
            t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
        }
        for (int i = 0; i < 8; i += 4) {
            u[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
            u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xEE);
            u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
            u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
        }
        for (int i = 0; i < 4; ++i) {
            r[i] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x20);
            r[i + 4] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x31);
        }
    }

    // Integer and byte pieces for the quantized formats. I holds kLanes int32.
    using I = __m256i;
    static F abs(F v) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v); }
    static F trunc(F v) { return _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC); }
    static F copysign(F mag, F sign_of) {
        return _mm256_or_ps(mag, _mm256_and_ps(sign_of, _mm256_set1_ps(-0.0f)));
    }
    // x + (a >= b ? y : 0), lane by lane.
    static F add_where_ge(F x, F a, F b, F y) {
        return _mm256_add_ps(x, _mm256_and_ps(_mm256_cmp_ps(a, b, _CMP_GE_OQ), y));
    }
    static unsigned eq_mask(F a, F b) {
        return (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(a, b, _CMP_EQ_OQ));
    }
    static I cvtt_i32(F v) { return _mm256_cvttps_epi32(v); }
    static I cvt_i32(F v) { return _mm256_cvtps_epi32(v); }
    // kLanes bytes into the low part of an xmm, and the low kLanes int8 of one to floats.
    static __m128i load_bytes(const void* p) {
        return _mm_loadl_epi64(static_cast<const __m128i*>(p));
    }
    static F bytes_to_float(__m128i b) { return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(b)); }
    // 32 int32 (four vectors, in order) to 32 int8 with saturation, stored at p and returned as
    // two halves of 16: the two packs interleave 128-bit lanes, the permutation puts the 4-byte
    // groups back.
    static void store_i8x32(void* p, const I* q, __m128i* halves) {
        const __m256i ab = _mm256_packs_epi32(q[0], q[1]), cd = _mm256_packs_epi32(q[2], q[3]);
        const __m256i v = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(ab, cd),
                                                      _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256(static_cast<__m256i*>(p), v);
        halves[0] = _mm256_castsi256_si128(v);
        halves[1] = _mm256_extracti128_si256(v, 1);
    }
    static void store_f16(uint16_t* p, F v) {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(p),
                         _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    }

    // Lanes [0, n): vmaskmovps for floats; 16-bit elements have no masked load in AVX2, so they
    // are copied into a zeroed vector's worth first.
    struct Tail {
        __m256i m;
        int n;
        F load(const float* p) const { return _mm256_maskload_ps(p, m); }
        void store(float* p, F v) const { _mm256_maskstore_ps(p, m, v); }
        F keep(F v) const { return _mm256_and_ps(v, _mm256_castsi256_ps(m)); }
        __m128i halves(const uint16_t* p) const {
            alignas(16) uint16_t b[8] = {};
            for (int i = 0; i < n; ++i) b[i] = p[i];
            return _mm_load_si128(reinterpret_cast<const __m128i*>(b));
        }
        F load_f16(const uint16_t* p) const { return _mm256_cvtph_ps(halves(p)); }
        F load_bf16(const uint16_t* p) const { return widen_bf16(halves(p)); }
    };
    static Tail tail(int64_t n) {
        const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        const int c = (int)std::clamp<int64_t>(n, 0, 8);
        return {_mm256_cmpgt_epi32(_mm256_set1_epi32(c), idx), c};
    }
};

}  // namespace lamina::simd
