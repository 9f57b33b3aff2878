// AVX-512 conversions between float rows and quantized blocks that prompt processing runs per
// weight and per activation value: Q4_0/Q8_0/Q4_K/Q6_K to float (weights into the float GEMM),
// float to Q8_0 and Q8_K (activations), and Q8_K back to float. Each gives bit-identical results to
// the type table's reference: the same float operations in the same order, no fused multiply-add
// where it has none. GCC 12 reports its own AVX-512 intrinsics (which start from
// _mm512_undefined_*) as "(maybe) uninitialized" once inlined; the warning is about the header, not
// this code.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include <cstring>

#include "backend/cpu/quant_convert_avx512.h"

#include "backend/cpu/kernels.h"
#include "core/fp16.h"
#include "quant/blocks.h"

namespace lamina {
namespace {

using quant::BlockQ4_0;
using quant::BlockQ4_K;
using quant::BlockQ6_K;
using quant::BlockQ8_0;
using quant::BlockQ8_K;

// 16 bytes as 16 int32 lanes, converted to float.
inline __m512 bytes_to_float(__m128i b) {
    return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(b));
}

// Reference: y = (nibble - 8) * d.
void to_float_q4_0(const void* src, float* y, int64_t n) {
    const BlockQ4_0* x = static_cast<const BlockQ4_0*>(src);
    const __m128i low = _mm_set1_epi8(0x0f), eight = _mm_set1_epi8(8);
    for (int64_t i = 0; i < n / 32; ++i, y += 32) {
        const __m512 d = _mm512_set1_ps(fp16_to_fp32(x[i].d));
        const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[i].qs));
        const __m128i lo = _mm_sub_epi8(_mm_and_si128(q, low), eight);
        const __m128i hi = _mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(q, 4), low), eight);
        _mm512_storeu_ps(y, _mm512_mul_ps(bytes_to_float(lo), d));
        _mm512_storeu_ps(y + 16, _mm512_mul_ps(bytes_to_float(hi), d));
    }
}

// Reference: y = q * d.
void to_float_q8_0(const void* src, float* y, int64_t n) {
    const BlockQ8_0* x = static_cast<const BlockQ8_0*>(src);
    for (int64_t i = 0; i < n / 32; ++i, y += 32) {
        const __m512 d = _mm512_set1_ps(fp16_to_fp32(x[i].d));
        for (int h = 0; h < 2; ++h) {
            const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[i].qs + 16 * h));
            _mm512_storeu_ps(y + 16 * h, _mm512_mul_ps(bytes_to_float(q), d));
        }
    }
}

// Reference: per 32-value sub-block j, ds = d * sc_j, dm = dmin * m_j, y = ds * q - dm; the
// 32-byte run c of qs holds sub-block 2c in its low nibbles and 2c + 1 in its high ones.
void to_float_q4_k(const void* src, float* y, int64_t n) {
    const BlockQ4_K* x = static_cast<const BlockQ4_K*>(src);
    const __m128i low = _mm_set1_epi8(0x0f);
    for (int64_t i = 0; i < n / 256; ++i) {
        const float d = fp16_to_fp32(x[i].d), dmin = fp16_to_fp32(x[i].dmin);
        uint64_t sc8, mn8;
        quant::unpack_k_scales_mins8(x[i].scales, &sc8, &mn8);
        for (int j = 0; j < 8; ++j, y += 32) {
            const __m512 ds = _mm512_set1_ps(d * (float)((sc8 >> (8 * j)) & 0xff));
            const __m512 dm = _mm512_set1_ps(dmin * (float)((mn8 >> (8 * j)) & 0xff));
            const uint8_t* run = x[i].qs + 32 * (j / 2);
            for (int h = 0; h < 2; ++h) {
                __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(run + 16 * h));
                if (j % 2) q = _mm_srli_epi16(q, 4);
                q = _mm_and_si128(q, low);
                _mm512_storeu_ps(y + 16 * h,
                                 _mm512_sub_ps(_mm512_mul_ps(ds, bytes_to_float(q)), dm));
            }
        }
    }
}

// Reference: per 16-value group g, ds = d * sc_g, y = ds * (level - 32); levels from the low or
// high nibbles of ql with two bits of qh (see quant_dot_avx512.cpp for the layout).
void to_float_q6_k(const void* src, float* y, int64_t n) {
    const BlockQ6_K* x = static_cast<const BlockQ6_K*>(src);
    const __m128i low = _mm_set1_epi8(0x0f), three = _mm_set1_epi8(3), offset = _mm_set1_epi8(32);
    for (int64_t i = 0; i < n / 256; ++i) {
        const float d = fp16_to_fp32(x[i].d);
        for (int h = 0; h < 2; ++h) {
            const uint8_t* ql = x[i].ql + 64 * h;
            const uint8_t* qh = x[i].qh + 32 * h;
            // Value run r (32 values at 128h + 32r): nibble of ql[32 * (r % 2)...], bits 2r of qh.
            for (int r = 0; r < 4; ++r) {
                for (int part = 0; part < 2; ++part) {
                    const int l = 16 * part;
                    __m128i lq =
                        _mm_loadu_si128(reinterpret_cast<const __m128i*>(ql + 32 * (r % 2) + l));
                    if (r >= 2) lq = _mm_srli_epi16(lq, 4);
                    const __m128i hq = _mm_srli_epi16(
                        _mm_loadu_si128(reinterpret_cast<const __m128i*>(qh + l)), 2 * r);
                    const __m128i level =
                        _mm_sub_epi8(_mm_or_si128(_mm_and_si128(lq, low),
                                                  _mm_slli_epi16(_mm_and_si128(hq, three), 4)),
                                     offset);
                    const int g = (128 * h + 32 * r + l) / 16;
                    const __m512 ds = _mm512_set1_ps(d * (float)x[i].scales[g]);
                    _mm512_storeu_ps(y + 128 * h + 32 * r + l,
                                     _mm512_mul_ps(ds, bytes_to_float(level)));
                }
            }
        }
        y += 256;
    }
}

// Reference: d = amax / 127, id = 1 / d (0 for an all-zero block), q = round(x * id) with halves
// away from zero, stored with d as fp16. Rounding is built from exact steps: the fraction of
// |t| above its integer part is exact in float, so comparing it with 0.5 decides as round() does.
}  // namespace

void q8_0_from_float_avx512(const float* x, void* dst, int64_t n) {
    BlockQ8_0* out = static_cast<BlockQ8_0*>(dst);
    const __m512 sign_bit = _mm512_set1_ps(-0.0f), half = _mm512_set1_ps(0.5f),
                 one = _mm512_set1_ps(1.0f);
    for (int64_t i = 0; i < n / 32; ++i, x += 32) {
        const __m512 a = _mm512_loadu_ps(x), b = _mm512_loadu_ps(x + 16);
        const float amax = _mm512_reduce_max_ps(
            _mm512_max_ps(_mm512_andnot_ps(sign_bit, a), _mm512_andnot_ps(sign_bit, b)));
        const float d = amax / 127;
        const float id = d ? 1.0f / d : 0.0f;
        out[i].d = fp32_to_fp16(d);
        const __m512 vid = _mm512_set1_ps(id);
        for (int h = 0; h < 2; ++h) {
            const __m512 t = _mm512_mul_ps(h ? b : a, vid);
            const __m512 mag = _mm512_andnot_ps(sign_bit, t);
            const __m512 whole = _mm512_roundscale_ps(mag, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
            const __mmask16 up = _mm512_cmp_ps_mask(_mm512_sub_ps(mag, whole), half, _CMP_GE_OQ);
            const __m512 rounded = _mm512_mask_add_ps(whole, up, whole, one);
            const __m512 q = _mm512_or_ps(rounded, _mm512_and_ps(t, sign_bit));
            _mm_storeu_si128(reinterpret_cast<__m128i*>(out[i].qs + 16 * h),
                             _mm512_cvtsepi32_epi8(_mm512_cvttps_epi32(q)));
        }
    }
}

// Reference: the element of largest magnitude (the first, on ties) sets iscale = -127 / max;
// q = nearest(iscale * x) (lrintf: halves to even, as vcvtps2dq does), clamped to int8; bsums
// are the sums of each 16 quants; d = 1 / iscale. An all-zero block is all zero bytes.
void q8_k_from_float_avx512(const float* x, void* dst, int64_t n) {
    BlockQ8_K* out = static_cast<BlockQ8_K*>(dst);
    const __m512 sign_bit = _mm512_set1_ps(-0.0f);
    for (int64_t i = 0; i < n / 256; ++i, x += 256) {
        __m512 m = _mm512_setzero_ps();
        for (int c = 0; c < 16; ++c)
            m = _mm512_max_ps(m, _mm512_andnot_ps(sign_bit, _mm512_loadu_ps(x + 16 * c)));
        const float amax = _mm512_reduce_max_ps(m);
        if (!amax) {
            std::memset(&out[i], 0, sizeof(BlockQ8_K));
            continue;
        }
        float max = 0;
        const __m512 vamax = _mm512_set1_ps(amax);
        for (int c = 0; c < 16; ++c) {
            const __mmask16 hit = _mm512_cmp_ps_mask(
                _mm512_andnot_ps(sign_bit, _mm512_loadu_ps(x + 16 * c)), vamax, _CMP_EQ_OQ);
            if (hit) {
                max = x[16 * c + __builtin_ctz((unsigned)hit)];
                break;
            }
        }
        const float iscale = -127.f / max;
        const __m512 vs = _mm512_set1_ps(iscale);
        for (int g = 0; g < 16; ++g) {
            const __m512i q = _mm512_cvtps_epi32(_mm512_mul_ps(vs, _mm512_loadu_ps(x + 16 * g)));
            const __m128i q8 = _mm512_cvtsepi32_epi8(q);
            _mm_storeu_si128(reinterpret_cast<__m128i*>(out[i].qs + 16 * g), q8);
            out[i].bsums[g] = (int16_t)_mm512_reduce_add_epi32(_mm512_cvtepi8_epi32(q8));
        }
        out[i].d = 1 / iscale;
    }
}

namespace {

// Reference: y = d * q.
void to_float_q8_k(const void* src, float* y, int64_t n) {
    const BlockQ8_K* x = static_cast<const BlockQ8_K*>(src);
    for (int64_t i = 0; i < n / 256; ++i) {
        const __m512 d = _mm512_set1_ps(x[i].d);
        for (int g = 0; g < 16; ++g, y += 16) {
            const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[i].qs + 16 * g));
            _mm512_storeu_ps(y, _mm512_mul_ps(d, bytes_to_float(q)));
        }
    }
}

}  // namespace

void install_avx512_quant_converts(CpuKernels& k) {
    auto install = [&](DType t, ToFloatFn to, FromFloatFn from) {
        // Only where the type table defines the same conversion these replace.
        const TypeTraits* tt = find_type_traits((uint32_t)t);
        if (!tt) return;
        if (to && tt->to_float) k.types[(size_t)t].to_float = to;
        if (from && tt->from_float) k.types[(size_t)t].from_float = from;
    };
    install(DType::Q4_0, to_float_q4_0, nullptr);
    install(DType::Q8_0, to_float_q8_0, q8_0_from_float_avx512);
    install(DType::Q4_K, to_float_q4_k, nullptr);
    install(DType::Q6_K, to_float_q6_k, nullptr);
    install(DType::Q8_K, to_float_q8_k, q8_k_from_float_avx512);
}

}  // namespace lamina
