// AVX2 activation quantizers: float rows to Q8_0 and Q8_K, run on every activation row of a
// prompt before the integer GEMM. Each gives bit-identical results to the type table's reference:
// the same float operations in the same order, the same rounding.
#include <immintrin.h>

#include <cstring>
#include <utility>

#include "backend/cpu/quant_convert_avx2.h"

#include "backend/cpu/kernels.h"
#include "core/fp16.h"
#include "quant/blocks.h"

namespace lamina {
namespace {

using quant::BlockQ8_0;
using quant::BlockQ8_K;

inline float hmax(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

// Four vectors of eight int32 (values 0..31 in order) to 32 int8 with saturation, in order: the
// two packs interleave 128-bit lanes, the permutation puts the 4-byte groups back.
inline __m256i pack_32(__m256i a, __m256i b, __m256i c, __m256i d) {
    const __m256i ab = _mm256_packs_epi32(a, b), cd = _mm256_packs_epi32(c, d);
    return _mm256_permutevar8x32_epi32(_mm256_packs_epi16(ab, cd),
                                       _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

}  // namespace

// Reference: d = amax / 127, id = 1 / d (0 for an all-zero block), q = round(x * id) with halves
// away from zero, stored with d as fp16. Rounding is built from exact steps: the fraction of
// |t| above its integer part is exact in float, so comparing it with 0.5 decides as round() does.
void q8_0_from_float_avx2(const float* x, void* dst, int64_t n) {
    BlockQ8_0* out = static_cast<BlockQ8_0*>(dst);
    const __m256 sign_bit = _mm256_set1_ps(-0.0f), half = _mm256_set1_ps(0.5f),
                 one = _mm256_set1_ps(1.0f);
    for (int64_t i = 0; i < n / 32; ++i, x += 32) {
        __m256 v[4];
        __m256 m = _mm256_setzero_ps();
        for (int c = 0; c < 4; ++c) {
            v[c] = _mm256_loadu_ps(x + 8 * c);
            m = _mm256_max_ps(m, _mm256_andnot_ps(sign_bit, v[c]));
        }
        const float d = hmax(m) / 127;
        const float id = d ? 1.0f / d : 0.0f;
        out[i].d = fp32_to_fp16(d);
        const __m256 vid = _mm256_set1_ps(id);
        __m256i q[4];
        for (int c = 0; c < 4; ++c) {
            const __m256 t = _mm256_mul_ps(v[c], vid);
            const __m256 mag = _mm256_andnot_ps(sign_bit, t);
            const __m256 whole = _mm256_round_ps(mag, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
            const __m256 up = _mm256_cmp_ps(_mm256_sub_ps(mag, whole), half, _CMP_GE_OQ);
            const __m256 rounded = _mm256_add_ps(whole, _mm256_and_ps(up, one));
            q[c] = _mm256_cvttps_epi32(_mm256_or_ps(rounded, _mm256_and_ps(t, sign_bit)));
        }
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out[i].qs), pack_32(q[0], q[1], q[2], q[3]));
    }
}

// Reference: the element of largest magnitude (the first, on ties) sets iscale = -127 / max;
// q = nearest(iscale * x) (lrintf: halves to even, as vcvtps2dq does), clamped to int8; bsums
// are the sums of each 16 quants; d = 1 / iscale. An all-zero block is all zero bytes.
void q8_k_from_float_avx2(const float* x, void* dst, int64_t n) {
    BlockQ8_K* out = static_cast<BlockQ8_K*>(dst);
    const __m256 sign_bit = _mm256_set1_ps(-0.0f);
    const __m128i flip = _mm_set1_epi8((char)0x80);
    for (int64_t i = 0; i < n / 256; ++i, x += 256) {
        __m256 m = _mm256_setzero_ps();
        for (int c = 0; c < 32; ++c)
            m = _mm256_max_ps(m, _mm256_andnot_ps(sign_bit, _mm256_loadu_ps(x + 8 * c)));
        const float amax = hmax(m);
        if (!amax) {
            std::memset(&out[i], 0, sizeof(BlockQ8_K));
            continue;
        }
        float max = 0;
        const __m256 vamax = _mm256_set1_ps(amax);
        for (int c = 0; c < 32; ++c) {
            const int hit = _mm256_movemask_ps(_mm256_cmp_ps(
                _mm256_andnot_ps(sign_bit, _mm256_loadu_ps(x + 8 * c)), vamax, _CMP_EQ_OQ));
            if (hit) {
                max = x[8 * c + __builtin_ctz((unsigned)hit)];
                break;
            }
        }
        const float iscale = -127.f / max;
        const __m256 vs = _mm256_set1_ps(iscale);
        for (int g = 0; g < 8; ++g) {
            __m256i q[4];
            for (int c = 0; c < 4; ++c)
                q[c] = _mm256_cvtps_epi32(_mm256_mul_ps(vs, _mm256_loadu_ps(x + 32 * g + 8 * c)));
            const __m256i q8 = pack_32(q[0], q[1], q[2], q[3]);
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(out[i].qs + 32 * g), q8);
            // Sums of 16 quants: shifted to unsigned, summed by psadbw in 8-byte halves.
            for (int h = 0; h < 2; ++h) {
                const __m128i u = _mm_xor_si128(
                    h ? _mm256_extracti128_si256(q8, 1) : _mm256_castsi256_si128(q8), flip);
                const __m128i s = _mm_sad_epu8(u, _mm_setzero_si128());
                out[i].bsums[2 * g + h] =
                    (int16_t)(_mm_cvtsi128_si32(s) + _mm_extract_epi16(s, 4) - 16 * 128);
            }
        }
        out[i].d = 1 / iscale;
    }
}

namespace {

// F16 rows, 8 values at a time through F16C (round to nearest even, as fp32_to_fp16), the tail
// through the scalar conversion: the K/V cache writes and its reads for prompt attention. The
// AVX-512 set keeps these too (it starts from the AVX2 one): the conversion waits on memory, not
// on its width.
void f16_to_float(const void* src, float* dst, int64_t n) {
    const uint16_t* s = static_cast<const uint16_t*>(src);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(dst + i,
                         _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i))));
    for (; i < n; ++i) dst[i] = fp16_to_fp32(s[i]);
}
void f16_from_float(const float* src, void* dst, int64_t n) {
    uint16_t* d = static_cast<uint16_t*>(dst);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128(reinterpret_cast<__m128i*>(d + i),
                         _mm256_cvtps_ph(_mm256_loadu_ps(src + i),
                                         _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    for (; i < n; ++i) d[i] = fp32_to_fp16(src[i]);
}

}  // namespace

void install_avx2_quant_converts(CpuKernels& k) {
    // Only where the type table defines the same conversion these replace.
    const std::pair<DType, FromFloatFn> converts[] = {{DType::Q8_0, q8_0_from_float_avx2},
                                                      {DType::Q8_K, q8_k_from_float_avx2}};
    for (const auto& [t, from] : converts)
        if (const TypeTraits* tt = find_type_traits((uint32_t)t); tt && tt->from_float)
            k.types[(size_t)t].from_float = from;
    k.types[(size_t)DType::F16].to_float = f16_to_float;
    k.types[(size_t)DType::F16].from_float = f16_from_float;
}

}  // namespace lamina
