// AVX2 dots of Q4_0 and Q4_K weight rows against prepared activation rows
// (CpuKernels::PreparedDot): the activations' Q8_0/Q8_K quants with the per-block work that
// does not depend on the weights (sums for the level offsets and mins, float scales) done once
// per token instead of once per weight row.
// Written per ISA, not over simd/vec_traits.h: the int8 products are the algorithm here, and
// maddubs (byte pairs to saturating int16, widened by madd) needs other block orders, offsets
// and accumulation than AVX-512 VNNI's vpdpbusd (four bytes straight into int32).
#include <immintrin.h>

#include <cstring>

#include "backend/cpu/quant_convert_avx2.h"
#include "backend/cpu/quant_dot.h"
#include "backend/cpu/simd/vec_avx2.h"

namespace lamina {
namespace {

// Prepared Q8_0 activations for Q4_0 weights, per pair of blocks (b, b+1), 136 bytes:
//   int8  qs[64]:  y_b[0..31], y_b+1[0..31];
//   int32 off[16]: per block, -8 * the sum of the four quants each int32 lane of
//                  vpmaddubsw + vpmaddwd covers, so that adding it turns sum(q * y) into
//                  sum((q - 8) * y) with q the unsigned nibble;
//   float d[2]:    the two blocks' scales.
constexpr int64_t kPairBytes = 136;

void prepare_q4_0(const float* x, void* out, int64_t n) {
    uint8_t* p = static_cast<uint8_t*>(out);
    for (int64_t i = 0; i < n; i += 64, p += kPairBytes) {
        BlockQ8_0 y[2];
        q8_0_from_float_avx2(x + i, y, 64);
        int32_t off[16];
        for (int b = 0; b < 2; ++b) {
            std::memcpy(p + 32 * b, y[b].qs, 32);
            for (int l = 0; l < 8; ++l)
                off[8 * b + l] = -8 * (y[b].qs[4 * l] + y[b].qs[4 * l + 1] + y[b].qs[4 * l + 2] +
                                       y[b].qs[4 * l + 3]);
        }
        const float d[2] = {_cvtsh_ss(y[0].d), _cvtsh_ss(y[1].d)};
        std::memcpy(p + 64, off, 64);
        std::memcpy(p + 128, d, 8);
    }
}

// The 32 levels of a Q4_0 block in value order: the 16 bytes in both 128-bit lanes, the upper
// lane shifted down a nibble.
inline __m256i q4_0_levels(const BlockQ4_0& x, __m256i shift, __m256i low) {
    const __m256i both =
        _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x.qs)));
    return _mm256_and_si256(_mm256_srlv_epi64(both, shift), low);
}

// R weight rows against one prepared row: each pair of prepared blocks is loaded once for all of
// them, and software prefetch runs two row groups ahead (R rows of a few KiB are R short
// streams, too short for the hardware prefetchers to pick up).
template <int R>
void dot_q4_0_prepared_rows(int64_t n, const uint8_t* w, size_t ldw, const uint8_t* p, float* out) {
    const __m256i low = _mm256_set1_epi8(0x0f), ones = _mm256_set1_epi16(1);
    const __m256i shift = _mm256_setr_epi64x(0, 0, 4, 4);
    const __m256i second = _mm256_set1_epi32(1);
    __m256 acc[R];
    for (int j = 0; j < R; ++j) acc[j] = _mm256_setzero_ps();
    const int64_t nb = n / 32;
    const uint8_t* ahead = w + 2 * R * ldw;
    const size_t ahead_step = R > 1 ? R * ldw / (size_t)(nb / 2 > 0 ? nb / 2 : 1) : 0;
    for (int64_t b = 0; b < nb; b += 2, p += kPairBytes, ahead += ahead_step) {
        for (size_t l = 0; l < ahead_step; l += 64)
            _mm_prefetch(reinterpret_cast<const char*>(ahead + l), _MM_HINT_T0);
        const __m256i y0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
        const __m256i y1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
        const __m256i off0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 64));
        const __m256i off1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 96));
        const __m128 dy = _mm_castpd_ps(_mm_load_sd(reinterpret_cast<const double*>(p + 128)));
#pragma GCC unroll 4
        for (int j = 0; j < R; ++j) {
            const BlockQ4_0* x = reinterpret_cast<const BlockQ4_0*>(w + j * ldw);
            const __m256i s0 = _mm256_add_epi32(
                _mm256_madd_epi16(_mm256_maddubs_epi16(q4_0_levels(x[b], shift, low), y0), ones),
                off0);
            const __m256i s1 = _mm256_add_epi32(
                _mm256_madd_epi16(_mm256_maddubs_epi16(q4_0_levels(x[b + 1], shift, low), y1),
                                  ones),
                off1);
            const __m128i dx = _mm_insert_epi16(_mm_cvtsi32_si128(x[b].d), x[b + 1].d, 1);
            const __m256 sc = _mm256_castps128_ps256(_mm_mul_ps(_mm_cvtph_ps(dx), dy));
            const __m256 t =
                _mm256_mul_ps(_mm256_cvtepi32_ps(s1), _mm256_permutevar8x32_ps(sc, second));
            acc[j] = _mm256_add_ps(
                acc[j], _mm256_fmadd_ps(_mm256_cvtepi32_ps(s0),
                                        _mm256_broadcastss_ps(_mm256_castps256_ps128(sc)), t));
        }
    }
    for (int j = 0; j < R; ++j) out[j] = simd::Avx2::reduce_add(acc[j]);
}

float dot_q4_0_prepared(int64_t n, const void* xv, const void* pv) {
    float out;
    dot_q4_0_prepared_rows<1>(n, static_cast<const uint8_t*>(xv), 0,
                              static_cast<const uint8_t*>(pv), &out);
    return out;
}

void dot_q4_0_prepared_many(int64_t n, const void* w, size_t ldw, int64_t nrows, const void* p,
                            float* out) {
    const uint8_t* wb = static_cast<const uint8_t*>(w);
    const uint8_t* pb = static_cast<const uint8_t*>(p);
    int64_t r = 0;
    for (; r + 4 <= nrows; r += 4) dot_q4_0_prepared_rows<4>(n, wb + r * ldw, ldw, pb, out + r);
    for (; r < nrows; ++r) dot_q4_0_prepared_rows<1>(n, wb + r * ldw, ldw, pb, out + r);
}

// Prepared Q8_K activations for Q4_K weights, per 256-value super-block, 320 bytes:
//   int8  qs[256]: the quants in value order (the 32-byte run c of x.qs holds sub-block 2c in
//                  its low nibbles and 2c + 1 in its high ones, values 64c..64c+63 in order);
//   int32 sums[8]: each 32-value sub-block's sum, for the mins;
//   float d, then padding to 32 bytes.
constexpr int64_t kQ4KPreparedBytes = 320;

// Software prefetch distance for streamed weight rows: the hardware prefetchers alone leave
// generation well short of the read bandwidth on the Zen 3 measured.
constexpr int64_t kAheadBytes = 2048;

void prepare_q4_k(const float* x, void* out, int64_t n) {
    uint8_t* p = static_cast<uint8_t*>(out);
    for (int64_t i = 0; i < n; i += 256, p += kQ4KPreparedBytes) {
        BlockQ8_K y;
        q8_k_from_float_avx2(x + i, &y, 256);
        std::memcpy(p, y.qs, 256);
        int32_t sums[8];
        for (int j = 0; j < 8; ++j) sums[j] = y.bsums[2 * j] + y.bsums[2 * j + 1];
        std::memcpy(p + 256, sums, 32);
        std::memset(p + 288, 0, 32);
        std::memcpy(p + 288, &y.d, 4);
    }
}

// Per super-block: the eight 6-bit scales widened to int16 and spread by vpshufb, sub-block j's
// scale in every int16 lane, multiply the byte-pair sums in vpmaddwd (which also widens them);
// the mins enter through the prepared sub-block sums, once per row at the end.
float dot_q4_k_prepared(int64_t n, const void* xv, const void* pv) {
    const BlockQ4_K* x = static_cast<const BlockQ4_K*>(xv);
    const uint8_t* p = static_cast<const uint8_t*>(pv);
    const __m256i low = _mm256_set1_epi8(0x0f);
    __m256 acc = _mm256_setzero_ps(), acc_min = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / 256; ++b, p += kQ4KPreparedBytes) {
        // Rows of a chunk are contiguous: fetching ahead runs on into the next row.
        const char* ahead = reinterpret_cast<const char*>(&x[b]) + kAheadBytes;
        _mm_prefetch(ahead, _MM_HINT_T0);
        _mm_prefetch(ahead + 64, _MM_HINT_T0);
        _mm_prefetch(ahead + 128, _MM_HINT_T0);
        uint64_t sc8, mn8;
        quant::unpack_k_scales_mins8(x[b].scales, &sc8, &mn8);
        // int16 scales 0..7 in both 128-bit lanes.
        const __m256i scales =
            _mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(_mm_cvtsi64_si128((long long)sc8)));
        __m256i sumi = _mm256_setzero_si256();
        for (int c = 0; c < 4; ++c) {
            const __m256i q =
                _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qs + 32 * c));
            const __m256i y0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 64 * c));
            const __m256i y1 =
                _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 64 * c + 32));
            // Bytes (4c, 4c + 1) and (4c + 2, 4c + 3) of the scales: sub-blocks 2c and 2c + 1.
            const __m256i s0 =
                _mm256_shuffle_epi8(scales, _mm256_set1_epi16((short)(0x0100 + 0x0202 * 2 * c)));
            const __m256i s1 = _mm256_shuffle_epi8(
                scales, _mm256_set1_epi16((short)(0x0100 + 0x0202 * (2 * c + 1))));
            const __m256i p0 = _mm256_maddubs_epi16(_mm256_and_si256(q, low), y0);
            const __m256i p1 =
                _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(q, 4), low), y1);
            sumi = _mm256_add_epi32(
                sumi, _mm256_add_epi32(_mm256_madd_epi16(p0, s0), _mm256_madd_epi16(p1, s1)));
        }
        float yd;
        std::memcpy(&yd, p + 288, 4);
        acc =
            _mm256_fmadd_ps(_mm256_cvtepi32_ps(sumi), _mm256_set1_ps(_cvtsh_ss(x[b].d) * yd), acc);
        const __m256i mins =
            _mm256_mullo_epi32(_mm256_cvtepu8_epi32(_mm_cvtsi64_si128((long long)mn8)),
                               _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 256)));
        acc_min = _mm256_fmadd_ps(_mm256_cvtepi32_ps(mins),
                                  _mm256_set1_ps(_cvtsh_ss(x[b].dmin) * yd), acc_min);
    }
    return simd::Avx2::reduce_add(_mm256_sub_ps(acc, acc_min));
}

}  // namespace

void set_prepared_avx2(QuantDots& q) {
    // Prepared rows hold whole block pairs (Q4_0) or super-blocks (Q4_K).
    q.set_prepared(DType::Q4_0, DType::Q8_0,
                   {prepare_q4_0, dot_q4_0_prepared, 64, kPairBytes, dot_q4_0_prepared_many});
    q.set_prepared(DType::Q4_K, DType::Q8_K,
                   {prepare_q4_k, dot_q4_k_prepared, 256, kQ4KPreparedBytes});
}

}  // namespace lamina
