// AVX2 Q8_0, Q4_0 and IQ4_NL dots against Q8_0, Q4_K, Q5_K, Q6_K and IQ4_XS against Q8_K (maddubs:
// unsigned x signed byte pairs to int16).
// Written per ISA, not over simd/vec_traits.h: the int8 products are the algorithm here, and
// maddubs (byte pairs to saturating int16, widened by madd) needs other block orders, offsets
// and accumulation than AVX-512 VNNI's vpdpbusd (four bytes straight into int32).
#include <immintrin.h>

#include <cstring>

#include "backend/cpu/quant_dot.h"
#include "backend/cpu/simd/vec_avx2.h"

namespace lamina {
namespace {

// Software prefetch distance for streamed weight rows: the hardware prefetchers alone leave
// generation well short of the read bandwidth on the Zen 3 measured.
constexpr int64_t kAheadBytes = 2048;

inline float scale(uint16_t a, uint16_t b) {
    return _cvtsh_ss(a) * _cvtsh_ss(b);
}

// Sum of u8 x s8 products in groups of four, as int32 (pairs stay below int16 saturation:
// 2 * 127 * 127 and 2 * 15 * 128 both fit).
inline __m256i dot_u8_s8(__m256i u, __m256i s) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
}

float dot_q8_0(int64_t n, const void* xv, const void* yv) {
    const BlockQ8_0* x = static_cast<const BlockQ8_0*>(xv);
    const BlockQ8_0* y = static_cast<const BlockQ8_0*>(yv);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / 32; ++b) {
        // Rows of a chunk are contiguous: fetching ahead runs on into the next row.
        if (b % 2 == 0) {
            const char* ahead = reinterpret_cast<const char*>(&x[b]) + kAheadBytes;
            _mm_prefetch(ahead, _MM_HINT_T0);
            _mm_prefetch(ahead + 64, _MM_HINT_T0);
        }
        const __m256i qx = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qs));
        const __m256i qy = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[b].qs));
        const __m256i s = dot_u8_s8(_mm256_abs_epi8(qx), _mm256_sign_epi8(qy, qx));
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(scale(x[b].d, y[b].d)), acc);
    }
    return simd::Avx2::reduce_add(acc);
}

float dot_q4_0(int64_t n, const void* xv, const void* yv) {
    const BlockQ4_0* x = static_cast<const BlockQ4_0*>(xv);
    const BlockQ8_0* y = static_cast<const BlockQ8_0*>(yv);
    const __m256i low = _mm256_set1_epi8(0x0f), eight = _mm256_set1_epi8(8);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / 32; ++b) {
        const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[b].qs));
        const __m256i both = _mm256_set_m128i(_mm_srli_epi16(packed, 4), packed);
        // q - 8 in [-8, 7], then the same sign trick as Q8_0.
        const __m256i qx = _mm256_sub_epi8(_mm256_and_si256(both, low), eight);
        const __m256i qy = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[b].qs));
        const __m256i s = dot_u8_s8(_mm256_abs_epi8(qx), _mm256_sign_epi8(qy, qx));
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(scale(x[b].d, y[b].d)), acc);
    }
    return simd::Avx2::reduce_add(acc);
}

// Q4_K and Q5_K per super-block: levels (unsigned) times activations by maddubs, weighted by the
// 32-element sub-block's 6-bit scale with madd; the mins enter once through the activation block
// sums.  sum = d * yd * sum_j sc_j * (q . y)_j  -  dmin * yd * sum_j m_j * bsum_j
// Levels of the 32-byte run c of qs: sub-block 2c in the low nibbles, 2c+1 in the high ones; Q5_K
// adds a fifth bit from qh (bit 2c, resp. 2c+1, of qh[l] for element l of the run).
template <typename Block, bool kFifthBit>
float dot_scale_min(int64_t n, const void* xv, const void* yv) {
    const Block* x = static_cast<const Block*>(xv);
    const BlockQ8_K* y = static_cast<const BlockQ8_K*>(yv);
    const __m256i low = _mm256_set1_epi8(0x0f), one = _mm256_set1_epi8(1);
    __m256 acc = _mm256_setzero_ps();
    float mins = 0;
    for (int64_t b = 0; b < n / quant::kQKK; ++b) {
        uint64_t sc8, mn8;
        quant::unpack_k_scales_mins8(x[b].scales, &sc8, &mn8);
        int sc[8], summ = 0;
        for (int j = 0; j < 8; ++j) {
            sc[j] = (int)((sc8 >> (8 * j)) & 0xff);
            summ += (int)((mn8 >> (8 * j)) & 0xff) * (y[b].bsums[2 * j] + y[b].bsums[2 * j + 1]);
        }
        __m256i hb = _mm256_setzero_si256();
        if constexpr (kFifthBit) hb = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qh));
        __m256i sumi = _mm256_setzero_si256();
        for (int c = 0; c < 4; ++c) {
            const __m256i q =
                _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qs + 32 * c));
            __m256i q0 = _mm256_and_si256(q, low);
            __m256i q1 = _mm256_and_si256(_mm256_srli_epi16(q, 4), low);
            if constexpr (kFifthBit) {
                // 16-bit shifts pull bits across bytes only above bit 0, which the mask drops.
                const __m128i s0 = _mm_cvtsi32_si128(2 * c), s1 = _mm_cvtsi32_si128(2 * c + 1);
                q0 = _mm256_or_si256(
                    q0, _mm256_slli_epi16(_mm256_and_si256(_mm256_srl_epi16(hb, s0), one), 4));
                q1 = _mm256_or_si256(
                    q1, _mm256_slli_epi16(_mm256_and_si256(_mm256_srl_epi16(hb, s1), one), 4));
            }
            const __m256i y0 =
                _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[b].qs + 64 * c));
            const __m256i y1 =
                _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[b].qs + 64 * c + 32));
            const __m256i p0 = _mm256_maddubs_epi16(q0, y0);
            const __m256i p1 = _mm256_maddubs_epi16(q1, y1);
            sumi =
                _mm256_add_epi32(sumi, _mm256_madd_epi16(p0, _mm256_set1_epi16((short)sc[2 * c])));
            sumi = _mm256_add_epi32(sumi,
                                    _mm256_madd_epi16(p1, _mm256_set1_epi16((short)sc[2 * c + 1])));
        }
        const float yd = y[b].d;
        acc =
            _mm256_fmadd_ps(_mm256_cvtepi32_ps(sumi), _mm256_set1_ps(_cvtsh_ss(x[b].d) * yd), acc);
        mins += _cvtsh_ss(x[b].dmin) * yd * (float)summ;
    }
    return simd::Avx2::reduce_add(acc) - mins;
}

float dot_q4_k(int64_t n, const void* xv, const void* yv) {
    return dot_scale_min<BlockQ4_K, false>(n, xv, yv);
}

float dot_q5_k(int64_t n, const void* xv, const void* yv) {
    return dot_scale_min<BlockQ5_K, true>(n, xv, yv);
}

// Levels are 0..63 stored with an offset of 32: sum((q - 32) * y) = sum(q * y) - 32 * bsum, per
// 16-element group with its signed 8-bit scale. A 32-byte run spans two groups, one per 128-bit
// lane; the scales, widened to int16 once per super-block, are spread by vpshufb so that each
// lane carries its group's scale, and the offset term is one vpmaddwd of scales and bsums.
float dot_q6_k(int64_t n, const void* xv, const void* yv) {
    const BlockQ6_K* x = static_cast<const BlockQ6_K*>(xv);
    const BlockQ8_K* y = static_cast<const BlockQ8_K*>(yv);
    const __m256i low = _mm256_set1_epi8(0x0f), two = _mm256_set1_epi8(3);
    // Run r's scale pair within the eight groups of one half: int16 element 2r in the low lane,
    // 2r + 1 in the high one.
    const __m256i pick[4] = {_mm256_setr_epi64x(0x0100010001000100, 0x0100010001000100,
                                                0x0302030203020302, 0x0302030203020302),
                             _mm256_setr_epi64x(0x0504050405040504, 0x0504050405040504,
                                                0x0706070607060706, 0x0706070607060706),
                             _mm256_setr_epi64x(0x0908090809080908, 0x0908090809080908,
                                                0x0b0a0b0a0b0a0b0a, 0x0b0a0b0a0b0a0b0a),
                             _mm256_setr_epi64x(0x0d0c0d0c0d0c0d0c, 0x0d0c0d0c0d0c0d0c,
                                                0x0f0e0f0e0f0e0f0e, 0x0f0e0f0e0f0e0f0e)};
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / quant::kQKK; ++b) {
        const char* ahead = reinterpret_cast<const char*>(&x[b]) + kAheadBytes;
        _mm_prefetch(ahead, _MM_HINT_T0);
        _mm_prefetch(ahead + 64, _MM_HINT_T0);
        _mm_prefetch(ahead + 128, _MM_HINT_T0);
        _mm_prefetch(ahead + 192, _MM_HINT_T0);
        const __m256i scales16 =
            _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x[b].scales)));
        const __m256i bsums = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[b].bsums));
        // 32 * sum_g sc_g * bsum_g, in eight int32 lanes.
        __m256i sumi = _mm256_sub_epi32(_mm256_setzero_si256(),
                                        _mm256_slli_epi32(_mm256_madd_epi16(scales16, bsums), 5));
        for (int h = 0; h < 2; ++h) {
            // Groups 8h..8h+7 in both lanes.
            const __m256i sc = h ? _mm256_permute2x128_si256(scales16, scales16, 0x11)
                                 : _mm256_permute2x128_si256(scales16, scales16, 0x00);
            const uint8_t* ql = x[b].ql + 64 * h;
            const __m256i l0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql));
            const __m256i l1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql + 32));
            const __m256i hb =
                _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qh + 32 * h));
            // The four 32-element runs of this half: low/high nibbles of ql, bit pairs of qh.
            const __m256i q[4] = {
                _mm256_or_si256(_mm256_and_si256(l0, low),
                                _mm256_slli_epi16(_mm256_and_si256(hb, two), 4)),
                _mm256_or_si256(
                    _mm256_and_si256(l1, low),
                    _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2), two), 4)),
                _mm256_or_si256(
                    _mm256_and_si256(_mm256_srli_epi16(l0, 4), low),
                    _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 4), two), 4)),
                _mm256_or_si256(
                    _mm256_and_si256(_mm256_srli_epi16(l1, 4), low),
                    _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 6), two), 4)),
            };
            for (int r = 0; r < 4; ++r) {
                const int e = 128 * h + 32 * r;  // first element of the run
                const __m256i yv8 =
                    _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[b].qs + e));
                const __m256i p = _mm256_maddubs_epi16(q[r], yv8);
                sumi =
                    _mm256_add_epi32(sumi, _mm256_madd_epi16(p, _mm256_shuffle_epi8(sc, pick[r])));
            }
        }
        const float dd = _cvtsh_ss(x[b].d) * y[b].d;
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sumi), _mm256_set1_ps(dd), acc);
    }
    return simd::Avx2::reduce_add(acc);
}

// Q2_K and Q3_K: the 2-bit fields of the 32-byte run h of qs, shifted by 2k, are values
// 128h + 32k .. +31; a 32-value run spans two 16-value groups, one per 128-bit lane, so the
// scale vector carries one group's scale per lane. Returns sum_g sc_g * (u . y)_g with u the
// 2-bit field plus the bytes high(h, k) adds (Q3_K's third bit; nothing for Q2_K).
template <typename High>
inline __m256i scaled_2bit_sums(const uint8_t* qs, const int8_t* yq, const int* sc, High high) {
    const __m256i three = _mm256_set1_epi8(3);
    __m256i sumi = _mm256_setzero_si256();
    for (int h = 0; h < 2; ++h) {
        const __m256i bits = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qs + 32 * h));
        for (int k = 0; k < 4; ++k) {
            const int e = 128 * h + 32 * k;
            const __m256i u = _mm256_or_si256(
                _mm256_and_si256(_mm256_srl_epi16(bits, _mm_cvtsi32_si128(2 * k)), three),
                high(h, k));
            const __m256i p = _mm256_maddubs_epi16(
                u, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(yq + e)));
            const __m256i scales = _mm256_set_m128i(_mm_set1_epi16((short)sc[e / 16 + 1]),
                                                    _mm_set1_epi16((short)sc[e / 16]));
            sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p, scales));
        }
    }
    return sumi;
}

// sum = d * yd * sum_g sc_g * (q . y)_g - dmin * yd * sum_g m_g * bsum_g, q in 0..3, with the
// scale in the low nibble of scales[g] and the min in the high one.
float dot_q2_k(int64_t n, const void* xv, const void* yv) {
    const quant::BlockQ2_K* x = static_cast<const quant::BlockQ2_K*>(xv);
    const BlockQ8_K* y = static_cast<const BlockQ8_K*>(yv);
    __m256 acc = _mm256_setzero_ps();
    float mins = 0;
    for (int64_t b = 0; b < n / quant::kQKK; ++b) {
        int sc[16], summ = 0;
        for (int g = 0; g < 16; ++g) {
            sc[g] = x[b].scales[g] & 0x0f;
            summ += (x[b].scales[g] >> 4) * y[b].bsums[g];
        }
        const __m256i sumi =
            scaled_2bit_sums(x[b].qs, y[b].qs, sc, [](int, int) { return _mm256_setzero_si256(); });
        const float yd = y[b].d;
        acc =
            _mm256_fmadd_ps(_mm256_cvtepi32_ps(sumi), _mm256_set1_ps(yd * _cvtsh_ss(x[b].d)), acc);
        mins += yd * _cvtsh_ss(x[b].dmin) * (float)summ;
    }
    return simd::Avx2::reduce_add(acc) - mins;
}

// Levels (q2 | 4 * hbit) - 4 with the high bit of value 32k' + l at bit k' of hmask[l]:
//   sum = d * yd * sum_g sc_g * ((u . y)_g - 4 * bsum_g), u = q2 | 4 * hbit in 0..7.
float dot_q3_k(int64_t n, const void* xv, const void* yv) {
    const quant::BlockQ3_K* x = static_cast<const quant::BlockQ3_K*>(xv);
    const BlockQ8_K* y = static_cast<const BlockQ8_K*>(yv);
    const __m256i one = _mm256_set1_epi8(1);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / quant::kQKK; ++b) {
        int sc[16], offset = 0;
        for (int g = 0; g < 16; ++g) {
            sc[g] = quant::q3_k_scale(x[b].scales, g);
            offset += sc[g] * y[b].bsums[g];
        }
        const __m256i hm = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].hmask));
        __m256i sumi = scaled_2bit_sums(x[b].qs, y[b].qs, sc, [&](int h, int k) {
            const __m256i hb =
                _mm256_and_si256(_mm256_srl_epi16(hm, _mm_cvtsi32_si128(4 * h + k)), one);
            return _mm256_slli_epi16(hb, 2);
        });
        sumi = _mm256_sub_epi32(sumi, _mm256_setr_epi32(4 * offset, 0, 0, 0, 0, 0, 0, 0));
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sumi), _mm256_set1_ps(_cvtsh_ss(x[b].d) * y[b].d),
                              acc);
    }
    return simd::Avx2::reduce_add(acc);
}

// The 32 nibbles of a legacy block as bytes 0..15 in element order (element j < 16 in the low
// nibble of qs[j], j + 16 in the high one).
inline __m256i nibbles32(const uint8_t* qs) {
    const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
    return _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(packed, 4), packed),
                            _mm256_set1_epi8(0x0f));
}

// Q5_0/Q5_1's fifth bits: bit j of the little-endian word qh, as 0x10 in byte j. Each byte
// takes the qh byte holding its bit (pshufb), then tests its own bit.
inline __m256i fifth_bits(const uint8_t* qh) {
    uint32_t word;
    std::memcpy(&word, qh, 4);
    const __m256i spread = _mm256_shuffle_epi8(
        _mm256_set1_epi32((int)word),
        _mm256_setr_epi64x(0, 0x0101010101010101, 0x0202020202020202, 0x0303030303030303));
    const __m256i bit = _mm256_set1_epi64x((long long)0x8040201008040201ull);
    const __m256i set = _mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit);
    return _mm256_and_si256(set, _mm256_set1_epi8(0x10));
}

// Q4_1 / Q5_1 against Q8_1: sum(d * q + m) * y = d * dy * sum(q * qy) + m * s, with s = dy *
// sum(qy) stored in the activation block; levels are unsigned, so maddubs takes them directly.
template <typename Block, bool kFifthBit>
float dot_min_blocks(int64_t n, const void* xv, const void* yv) {
    const Block* x = static_cast<const Block*>(xv);
    const quant::BlockQ8_1* y = static_cast<const quant::BlockQ8_1*>(yv);
    __m256 acc = _mm256_setzero_ps();
    float mins = 0;
    for (int64_t b = 0; b < n / 32; ++b) {
        __m256i q = nibbles32(x[b].qs);
        if constexpr (kFifthBit) q = _mm256_or_si256(q, fifth_bits(x[b].qh));
        const __m256i qy = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[b].qs));
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot_u8_s8(q, qy)),
                              _mm256_set1_ps(scale(x[b].d, y[b].d)), acc);
        mins += scale(x[b].m, y[b].s);
    }
    return simd::Avx2::reduce_add(acc) + mins;
}

float dot_q4_1(int64_t n, const void* xv, const void* yv) {
    return dot_min_blocks<quant::BlockQ4_1, false>(n, xv, yv);
}

float dot_q5_1(int64_t n, const void* xv, const void* yv) {
    return dot_min_blocks<quant::BlockQ5_1, true>(n, xv, yv);
}

// Q5_0 against Q8_0: levels q - 16 in [-16, 15], then the sign trick.
float dot_q5_0(int64_t n, const void* xv, const void* yv) {
    const quant::BlockQ5_0* x = static_cast<const quant::BlockQ5_0*>(xv);
    const BlockQ8_0* y = static_cast<const BlockQ8_0*>(yv);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / 32; ++b) {
        const __m256i q = _mm256_sub_epi8(_mm256_or_si256(nibbles32(x[b].qs), fifth_bits(x[b].qh)),
                                          _mm256_set1_epi8(16));
        const __m256i qy = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[b].qs));
        const __m256i s = dot_u8_s8(_mm256_abs_epi8(q), _mm256_sign_epi8(qy, q));
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(scale(x[b].d, y[b].d)), acc);
    }
    return simd::Avx2::reduce_add(acc);
}

// IQ4_NL / IQ4_XS: each nibble indexes the 16 signed levels, looked up 32 at a time with
// pshufb; the products then take the same sign trick as Q8_0 (levels and activations are within
// [-127, 127], so pairs stay below int16 saturation).
inline __m256i iq4_levels(const uint8_t* qs, __m256i table) {
    const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
    const __m256i idx = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(packed, 4), packed),
                                         _mm256_set1_epi8(0x0f));
    return _mm256_shuffle_epi8(table, idx);
}

inline __m256i iq4_table() {
    return _mm256_broadcastsi128_si256(
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(quant::kIQ4Values)));
}

float dot_iq4_nl(int64_t n, const void* xv, const void* yv) {
    const quant::BlockIQ4_NL* x = static_cast<const quant::BlockIQ4_NL*>(xv);
    const BlockQ8_0* y = static_cast<const BlockQ8_0*>(yv);
    const __m256i table = iq4_table();
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / 32; ++b) {
        const __m256i qx = iq4_levels(x[b].qs, table);
        const __m256i qy = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[b].qs));
        const __m256i s = dot_u8_s8(_mm256_abs_epi8(qx), _mm256_sign_epi8(qy, qx));
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(scale(x[b].d, y[b].d)), acc);
    }
    return simd::Avx2::reduce_add(acc);
}

// Sub-block ib's 6-bit scale: low nibble in scales_l[ib / 2], top bits at 2 * ib of scales_h.
float dot_iq4_xs(int64_t n, const void* xv, const void* yv) {
    const quant::BlockIQ4_XS* x = static_cast<const quant::BlockIQ4_XS*>(xv);
    const BlockQ8_K* y = static_cast<const BlockQ8_K*>(yv);
    const __m256i table = iq4_table();
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / quant::kQKK; ++b) {
        __m256i sumi = _mm256_setzero_si256();
        for (int ib = 0; ib < 8; ++ib) {
            const int ls = ((x[b].scales_l[ib / 2] >> (4 * (ib % 2))) & 0x0f) |
                           (((x[b].scales_h >> (2 * ib)) & 3) << 4);
            const __m256i qx = iq4_levels(x[b].qs + 16 * ib, table);
            const __m256i qy =
                _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[b].qs + 32 * ib));
            const __m256i p = _mm256_maddubs_epi16(_mm256_abs_epi8(qx), _mm256_sign_epi8(qy, qx));
            sumi =
                _mm256_add_epi32(sumi, _mm256_madd_epi16(p, _mm256_set1_epi16((short)(ls - 32))));
        }
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sumi), _mm256_set1_ps(_cvtsh_ss(x[b].d) * y[b].d),
                              acc);
    }
    return simd::Avx2::reduce_add(acc);
}

}  // namespace

QuantDots quant_dots_avx2() {
    QuantDots q;
    q.set(DType::Q8_0, DType::Q8_0, dot_q8_0);
    q.set(DType::Q4_0, DType::Q8_0, dot_q4_0);
    q.set(DType::Q5_0, DType::Q8_0, dot_q5_0);
    q.set(DType::IQ4_NL, DType::Q8_0, dot_iq4_nl);
    q.set(DType::Q4_1, DType::Q8_1, dot_q4_1);
    q.set(DType::Q5_1, DType::Q8_1, dot_q5_1);
    q.set(DType::Q2_K, DType::Q8_K, dot_q2_k);
    q.set(DType::Q3_K, DType::Q8_K, dot_q3_k);
    q.set(DType::Q4_K, DType::Q8_K, dot_q4_k);
    q.set(DType::Q5_K, DType::Q8_K, dot_q5_k);
    q.set(DType::Q6_K, DType::Q8_K, dot_q6_k);
    q.set(DType::IQ4_XS, DType::Q8_K, dot_iq4_xs);
    set_prepared_avx2(q);
    return q;
}

}  // namespace lamina
