// Conversions between float rows and quantized blocks, written once over the vector traits
// (simd/vec_traits.h): Q4_0/Q8_0/Q4_K/Q6_K/Q8_K to float (weights into the float GEMM), float to
// Q8_0 and Q8_K (activations, before every integer GEMM and dot), and F16 both ways (the K/V
// cache). Each gives bit-identical results to the type table's reference: the same float
// operations in the same order, the same rounding, no fused multiply-add where it has none.
// Bytes are handled kLanes at a time in an xmm register (SSE byte operations serve every width).
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "backend/cpu/kernels.h"
#include "core/fp16.h"
#include "quant/blocks.h"

namespace lamina::simd {

// Reference: d = amax / 127, id = 1 / d (0 for an all-zero block), q = round(x * id) with halves
// away from zero, stored with d as fp16. Rounding is built from exact steps: the fraction of
// |t| above its integer part is exact in float, so comparing it with 0.5 decides as round() does.
template <class V>
void q8_0_from_float(const float* x, void* dst, int64_t n) {
    using F = typename V::F;
    constexpr int kVecs = 32 / V::kLanes;
    quant::BlockQ8_0* out = static_cast<quant::BlockQ8_0*>(dst);
    const F half = V::set1(0.5f), one = V::set1(1.0f);
    for (int64_t i = 0; i < n / 32; ++i, x += 32) {
        F v[kVecs];
        for (int c = 0; c < kVecs; ++c) v[c] = V::load(x + V::kLanes * c);
        F m = V::abs(v[0]);
        for (int c = 1; c < kVecs; ++c) m = V::max(m, V::abs(v[c]));
        const float d = V::reduce_max(m) / 127;
        const float id = d ? 1.0f / d : 0.0f;
        out[i].d = fp32_to_fp16(d);
        const F vid = V::set1(id);
        typename V::I q[kVecs];
        for (int c = 0; c < kVecs; ++c) {
            const F t = V::mul(v[c], vid);
            const F mag = V::abs(t);
            const F whole = V::trunc(mag);
            const F rounded = V::add_where_ge(whole, V::sub(mag, whole), half, one);
            q[c] = V::cvtt_i32(V::copysign(rounded, t));
        }
        __m128i halves[2];
        V::store_i8x32(out[i].qs, q, halves);
    }
}

// Reference: the element of largest magnitude (the first, on ties) sets iscale = -127 / max;
// q = nearest(iscale * x) (lrintf: halves to even, as vcvtps2dq does), clamped to int8; bsums
// are the sums of each 16 quants; d = 1 / iscale. An all-zero block is all zero bytes.
template <class V>
void q8_k_from_float(const float* x, void* dst, int64_t n) {
    using F = typename V::F;
    constexpr int64_t L = V::kLanes;
    quant::BlockQ8_K* out = static_cast<quant::BlockQ8_K*>(dst);
    const __m128i flip = _mm_set1_epi8((char)0x80);
    for (int64_t i = 0; i < n / 256; ++i, x += 256) {
        F m = V::zero();
        for (int64_t c = 0; c < 256; c += L) m = V::max(m, V::abs(V::load(x + c)));
        const float amax = V::reduce_max(m);
        if (!amax) {
            std::memset(&out[i], 0, sizeof(quant::BlockQ8_K));
            continue;
        }
        float max = 0;
        const F vamax = V::set1(amax);
        for (int64_t c = 0; c < 256; c += L)
            if (const unsigned hit = V::eq_mask(V::abs(V::load(x + c)), vamax)) {
                max = x[c + __builtin_ctz(hit)];
                break;
            }
        const float iscale = -127.f / max;
        const F vs = V::set1(iscale);
        for (int g = 0; g < 8; ++g) {
            typename V::I q[32 / L];
            for (int c = 0; c < 32 / L; ++c)
                q[c] = V::cvt_i32(V::mul(vs, V::load(x + 32 * g + L * c)));
            __m128i halves[2];
            V::store_i8x32(out[i].qs + 32 * g, q, halves);
            // Sums of 16 quants: shifted to unsigned, summed by psadbw in 8-byte halves.
            for (int h = 0; h < 2; ++h) {
                const __m128i s = _mm_sad_epu8(_mm_xor_si128(halves[h], flip), _mm_setzero_si128());
                out[i].bsums[2 * g + h] =
                    (int16_t)(_mm_cvtsi128_si32(s) + _mm_extract_epi16(s, 4) - 16 * 128);
            }
        }
        out[i].d = 1 / iscale;
    }
}

// Reference: y = (nibble - 8) * d, low nibbles first.
template <class V>
void to_float_q4_0(const void* src, float* y, int64_t n) {
    const quant::BlockQ4_0* x = static_cast<const quant::BlockQ4_0*>(src);
    const __m128i low = _mm_set1_epi8(0x0f), eight = _mm_set1_epi8(8);
    for (int64_t i = 0; i < n / 32; ++i, y += 32) {
        const typename V::F d = V::set1(fp16_to_fp32(x[i].d));
        for (int h = 0; h < 16; h += V::kLanes) {
            const __m128i q = V::load_bytes(x[i].qs + h);
            const __m128i lo = _mm_sub_epi8(_mm_and_si128(q, low), eight);
            const __m128i hi = _mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(q, 4), low), eight);
            V::store(y + h, V::mul(V::bytes_to_float(lo), d));
            V::store(y + 16 + h, V::mul(V::bytes_to_float(hi), d));
        }
    }
}

// Reference: y = q * d.
template <class V>
void to_float_q8_0(const void* src, float* y, int64_t n) {
    const quant::BlockQ8_0* x = static_cast<const quant::BlockQ8_0*>(src);
    for (int64_t i = 0; i < n / 32; ++i, y += 32) {
        const typename V::F d = V::set1(fp16_to_fp32(x[i].d));
        for (int h = 0; h < 32; h += V::kLanes)
            V::store(y + h, V::mul(V::bytes_to_float(V::load_bytes(x[i].qs + h)), d));
    }
}

// Reference: per 32-value sub-block j, ds = d * sc_j, dm = dmin * m_j, y = ds * q - dm; the
// 32-byte run c of qs holds sub-block 2c in its low nibbles and 2c + 1 in its high ones.
template <class V>
void to_float_q4_k(const void* src, float* y, int64_t n) {
    const quant::BlockQ4_K* x = static_cast<const quant::BlockQ4_K*>(src);
    const __m128i low = _mm_set1_epi8(0x0f);
    for (int64_t i = 0; i < n / 256; ++i) {
        const float d = fp16_to_fp32(x[i].d), dmin = fp16_to_fp32(x[i].dmin);
        uint64_t sc8, mn8;
        quant::unpack_k_scales_mins8(x[i].scales, &sc8, &mn8);
        for (int j = 0; j < 8; ++j, y += 32) {
            const typename V::F ds = V::set1(d * (float)((sc8 >> (8 * j)) & 0xff));
            const typename V::F dm = V::set1(dmin * (float)((mn8 >> (8 * j)) & 0xff));
            const uint8_t* run = x[i].qs + 32 * (j / 2);
            for (int h = 0; h < 32; h += V::kLanes) {
                __m128i q = V::load_bytes(run + h);
                if (j % 2) q = _mm_srli_epi16(q, 4);
                q = _mm_and_si128(q, low);
                V::store(y + h, V::sub(V::mul(ds, V::bytes_to_float(q)), dm));
            }
        }
    }
}

// Reference: per 16-value group g, ds = d * sc_g, y = ds * (level - 32). Value run r of half h
// (32 values at 128h + 32r) takes the low (r < 2) or high nibbles of ql[64h + 32 * (r % 2)...]
// and bits 2r..2r+1 of qh[32h...].
template <class V>
void to_float_q6_k(const void* src, float* y, int64_t n) {
    const quant::BlockQ6_K* x = static_cast<const quant::BlockQ6_K*>(src);
    const __m128i low = _mm_set1_epi8(0x0f), three = _mm_set1_epi8(3), offset = _mm_set1_epi8(32);
    for (int64_t i = 0; i < n / 256; ++i, y += 256) {
        const float d = fp16_to_fp32(x[i].d);
        for (int h = 0; h < 2; ++h) {
            const uint8_t* ql = x[i].ql + 64 * h;
            const uint8_t* qh = x[i].qh + 32 * h;
            for (int r = 0; r < 4; ++r)
                for (int l = 0; l < 32; l += V::kLanes) {
                    __m128i lq = V::load_bytes(ql + 32 * (r % 2) + l);
                    if (r >= 2) lq = _mm_srli_epi16(lq, 4);
                    const __m128i hq = _mm_srli_epi16(V::load_bytes(qh + l), 2 * r);
                    const __m128i level =
                        _mm_sub_epi8(_mm_or_si128(_mm_and_si128(lq, low),
                                                  _mm_slli_epi16(_mm_and_si128(hq, three), 4)),
                                     offset);
                    const int g = (128 * h + 32 * r + l) / 16;
                    const typename V::F ds = V::set1(d * (float)x[i].scales[g]);
                    V::store(y + 128 * h + 32 * r + l, V::mul(ds, V::bytes_to_float(level)));
                }
        }
    }
}

// Reference: y = d * q.
template <class V>
void to_float_q8_k(const void* src, float* y, int64_t n) {
    const quant::BlockQ8_K* x = static_cast<const quant::BlockQ8_K*>(src);
    for (int64_t i = 0; i < n / 256; ++i, y += 256) {
        const typename V::F d = V::set1(x[i].d);
        for (int g = 0; g < 256; g += V::kLanes)
            V::store(y + g, V::mul(d, V::bytes_to_float(V::load_bytes(x[i].qs + g))));
    }
}

// F16 rows through the vector conversion (round to nearest even, as fp32_to_fp16), the tail
// through the scalar one: the K/V cache writes and its reads for prompt attention.
template <class V>
void f16_to_float(const void* src, float* dst, int64_t n) {
    const uint16_t* s = static_cast<const uint16_t*>(src);
    int64_t i = 0;
    for (; i + V::kLanes <= n; i += V::kLanes) V::store(dst + i, V::load_f16(s + i));
    for (; i < n; ++i) dst[i] = fp16_to_fp32(s[i]);
}
template <class V>
void f16_from_float(const float* src, void* dst, int64_t n) {
    uint16_t* d = static_cast<uint16_t*>(dst);
    int64_t i = 0;
    for (; i + V::kLanes <= n; i += V::kLanes) V::store_f16(d + i, V::load(src + i));
    for (; i < n; ++i) d[i] = fp32_to_fp16(src[i]);
}

template <class V>
void install_quant_converts(CpuKernels& k) {
    auto install = [&](DType t, ToFloatFn to, FromFloatFn from) {
        // Only where the type table defines the same conversion these replace.
        const TypeTraits* tt = find_type_traits((uint32_t)t);
        if (!tt) return;
        if (to && tt->to_float) k.types[(size_t)t].to_float = to;
        if (from && tt->from_float) k.types[(size_t)t].from_float = from;
    };
    install(DType::Q4_0, to_float_q4_0<V>, nullptr);
    install(DType::Q8_0, to_float_q8_0<V>, q8_0_from_float<V>);
    install(DType::Q4_K, to_float_q4_k<V>, nullptr);
    install(DType::Q6_K, to_float_q6_k<V>, nullptr);
    install(DType::Q8_K, to_float_q8_k<V>, q8_k_from_float<V>);
    k.types[(size_t)DType::F16].to_float = f16_to_float<V>;
    k.types[(size_t)DType::F16].from_float = f16_from_float<V>;
}

}  // namespace lamina::simd
