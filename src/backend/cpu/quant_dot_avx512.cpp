// AVX-512 VNNI Q8_0 and Q4_0 dots against Q8_0 (vpdpbusd), and Q4_0 / Q4_K against prepared
// activations.
// Written per ISA, not over simd/vec_traits.h: the int8 products are the algorithm here, and
// vpdpbusd (four bytes straight into int32) needs other block orders, offsets and
// accumulation than AVX2's maddubs (byte pairs to saturating int16, widened by madd).
// GCC 12 reports its own AVX-512 intrinsics (which start from _mm512_undefined_*) as "(maybe)
// uninitialized" once inlined; the warning is about the header, not this code.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include <cstring>

#include "backend/cpu/avx512_util.h"
#include "backend/cpu/quant_convert_avx512.h"
#include "backend/cpu/quant_dot.h"

namespace lamina {
namespace {

inline float scale(uint16_t a, uint16_t b) {
    return _cvtsh_ss(a) * _cvtsh_ss(b);
}

// vpdpbusd multiplies unsigned by signed bytes: |x| against y carrying x's sign gives x*y
// (exact for quants in [-127, 127], which is what Q8_0 quantization produces).
float dot_q8_0(int64_t n, const void* xv, const void* yv) {
    const BlockQ8_0* x = static_cast<const BlockQ8_0*>(xv);
    const BlockQ8_0* y = static_cast<const BlockQ8_0*>(yv);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    const int64_t nb = n / 32;
    int64_t b = 0;
    for (; b + 2 <= nb; b += 2) {
        for (int u = 0; u < 2; ++u) {
            const __m256i qx = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b + u].qs));
            const __m256i qy = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[b + u].qs));
            const __m256i s = _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_abs_epi8(qx),
                                                  _mm256_sign_epi8(qy, qx));
            __m256& acc = u == 0 ? acc0 : acc1;
            acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s),
                                  _mm256_set1_ps(scale(x[b + u].d, y[b + u].d)), acc);
        }
    }
    for (; b < nb; ++b) {
        const __m256i qx = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qs));
        const __m256i qy = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[b].qs));
        const __m256i s = _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_abs_epi8(qx),
                                              _mm256_sign_epi8(qy, qx));
        acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(scale(x[b].d, y[b].d)), acc0);
    }
    const __m256 a = _mm256_add_ps(acc0, acc1);
    __m128 r = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

// Nibbles are unsigned 0..15: sum((q - 8) * y) = sum(q * y) - 8 * sum(y), both by vpdpbusd
// (exact for any activation byte). Four independent accumulators: with one, the loop waits on
// the latency of each block's fused multiply-add.
inline __m256i q4_0_block_sum(const BlockQ4_0& x, const BlockQ8_0& y) {
    const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x.qs));
    const __m256i q = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(packed, 4), packed),
                                       _mm256_set1_epi8(0x0f));
    const __m256i qy = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y.qs));
    return _mm256_sub_epi32(_mm256_dpbusd_epi32(_mm256_setzero_si256(), q, qy),
                            _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_set1_epi8(8), qy));
}

float dot_q4_0(int64_t n, const void* xv, const void* yv) {
    const BlockQ4_0* x = static_cast<const BlockQ4_0*>(xv);
    const BlockQ8_0* y = static_cast<const BlockQ8_0*>(yv);
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(),
                     _mm256_setzero_ps()};
    const int64_t nb = n / 32;
    int64_t b = 0;
    for (; b + 4 <= nb; b += 4) {
        for (int u = 0; u < 4; ++u)
            acc[u] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(q4_0_block_sum(x[b + u], y[b + u])),
                                     _mm256_set1_ps(scale(x[b + u].d, y[b + u].d)), acc[u]);
    }
    for (; b < nb; ++b)
        acc[0] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(q4_0_block_sum(x[b], y[b])),
                                 _mm256_set1_ps(scale(x[b].d, y[b].d)), acc[0]);
    const __m256 a = _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]));
    __m128 r = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

// Prepared Q8_0 activations for Q4_0 weights, per pair of blocks (b, b+1), 136 bytes:
//   int8  qs[64]:  y_b[0..15], y_b+1[0..15], y_b[16..31], y_b+1[16..31], the order in which one
//                  512-bit register holds the two blocks' low nibbles then their high nibbles;
//   int32 off[16]: -8 * the sum of the four quants each vpdpbusd lane covers, the accumulator's
//                  start, so the lanes end at sum((q - 8) * y) with no correction;
//   float d[2]:    the two blocks' scales.
constexpr int64_t kPairBytes = 136;

void prepare_q4_0(const float* x, void* out, int64_t n) {
    uint8_t* p = static_cast<uint8_t*>(out);
    for (int64_t i = 0; i < n; i += 64, p += kPairBytes) {
        BlockQ8_0 y[2];
        q8_0_from_float_avx512(x + i, y, 64);
        int8_t qs[64];
        for (int h = 0; h < 2; ++h)
            for (int b = 0; b < 2; ++b) std::memcpy(qs + 32 * h + 16 * b, y[b].qs + 16 * h, 16);
        int32_t off[16];
        for (int l = 0; l < 16; ++l)
            off[l] = -8 * (qs[4 * l] + qs[4 * l + 1] + qs[4 * l + 2] + qs[4 * l + 3]);
        const float d[2] = {_cvtsh_ss(y[0].d), _cvtsh_ss(y[1].d)};
        std::memcpy(p, qs, 64);
        std::memcpy(p + 64, off, 64);
        std::memcpy(p + 128, d, 8);
    }
}

// R weight rows against one prepared row (R = 1 is the one-row dot): each pair of prepared
// activation blocks is loaded once for all of them, and the rows' independent chains keep the
// core busy.
template <int R>
void dot_q4_0_prepared_rows(int64_t n, const uint8_t* w, size_t ldw, const uint8_t* p, float* out) {
    const __m512i low = _mm512_set1_epi8(0x0f);
    const __m512i pick = _mm512_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1);
    __m512 acc[R];
    for (int j = 0; j < R; ++j) acc[j] = _mm512_setzero_ps();
    const int64_t nb = n / 32;
    // R rows of a few KiB each are R short streams, too short for the hardware prefetchers to
    // pick up: fetch the rows two groups ahead (contiguous) evenly over this group's loop.
    const uint8_t* ahead = w + 2 * R * ldw;
    const size_t ahead_step = R > 1 ? R * ldw / (size_t)(nb / 2 > 0 ? nb / 2 : 1) : 0;
    for (int64_t b = 0; b < nb; b += 2, p += kPairBytes, ahead += ahead_step) {
        for (size_t l = 0; l < ahead_step; l += 64)
            _mm_prefetch(reinterpret_cast<const char*>(ahead + l), _MM_HINT_T0);
        const __m512i y = _mm512_loadu_si512(p);
        const __m512i off = _mm512_loadu_si512(p + 64);
        const __m128 dy = _mm_castpd_ps(_mm_load_sd(reinterpret_cast<const double*>(p + 128)));
#pragma GCC unroll 4
        for (int j = 0; j < R; ++j) {
            const BlockQ4_0* x = reinterpret_cast<const BlockQ4_0*>(w + j * ldw);
            const __m256i packed =
                _mm256_loadu2_m128i(reinterpret_cast<const __m128i*>(x[b + 1].qs),
                                    reinterpret_cast<const __m128i*>(x[b].qs));
            const __m512i q = _mm512_and_si512(
                _mm512_inserti64x4(_mm512_zextsi256_si512(packed), _mm256_srli_epi16(packed, 4), 1),
                low);
            const __m512i s = _mm512_dpbusd_epi32(off, q, y);
            const __m128i dx = _mm_insert_epi16(_mm_cvtsi32_si128(x[b].d), x[b + 1].d, 1);
            const __m512 sc = _mm512_permutexvar_ps(
                pick, _mm512_castps128_ps512(_mm_mul_ps(_mm_cvtph_ps(dx), dy)));
            acc[j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), sc, acc[j]);
        }
    }
    for (int j = 0; j < R; ++j) out[j] = _mm512_reduce_add_ps(acc[j]);
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
//   int8  qs[256]: for each half h (128 values), the values under the low nibbles of x's 64
//                  bytes (y[128h + 0..31], y[128h + 64..95]) then under the high nibbles
//                  (y[128h + 32..63], y[128h + 96..127]), so one 512-bit load of x.qs pairs with
//                  one 512-bit load here for each nibble;
//   int32 sums[8]: each 32-value sub-block's sum, for the mins;
//   float d, then padding to 32 bytes.
constexpr int64_t kQ4KPreparedBytes = 320;

void prepare_q4_k(const float* x, void* out, int64_t n) {
    uint8_t* p = static_cast<uint8_t*>(out);
    for (int64_t i = 0; i < n; i += 256, p += kQ4KPreparedBytes) {
        BlockQ8_K y;
        q8_k_from_float_avx512(x + i, &y, 256);
        for (int h = 0; h < 2; ++h) {
            uint8_t* q = p + 128 * h;
            std::memcpy(q, y.qs + 128 * h, 32);
            std::memcpy(q + 32, y.qs + 128 * h + 64, 32);
            std::memcpy(q + 64, y.qs + 128 * h + 32, 32);
            std::memcpy(q + 96, y.qs + 128 * h + 96, 32);
        }
        int32_t sums[8];
        for (int j = 0; j < 8; ++j) sums[j] = y.bsums[2 * j] + y.bsums[2 * j + 1];
        std::memcpy(p + 256, sums, 32);
        std::memset(p + 288, 0, 32);
        std::memcpy(p + 288, &y.d, 4);
    }
}

// Lanes 0-7 of a nibble's sums belong to the first 64-byte chunk's sub-block, lanes 8-15 to the
// second's: for half h, low nibbles cover sub-blocks 4h and 4h+2, high nibbles 4h+1 and 4h+3.
float dot_q4_k_prepared(int64_t n, const void* xv, const void* pv) {
    const BlockQ4_K* x = static_cast<const BlockQ4_K*>(xv);
    const uint8_t* p = static_cast<const uint8_t*>(pv);
    const __m512i low = _mm512_set1_epi8(0x0f);
    const __m512i pick[4] = {_mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2),
                             _mm512_setr_epi32(1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 3, 3, 3, 3, 3),
                             _mm512_setr_epi32(4, 4, 4, 4, 4, 4, 4, 4, 6, 6, 6, 6, 6, 6, 6, 6),
                             _mm512_setr_epi32(5, 5, 5, 5, 5, 5, 5, 5, 7, 7, 7, 7, 7, 7, 7, 7)};
    __m512 acc = _mm512_setzero_ps();
    __m256 acc_min = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / 256; ++b, p += kQ4KPreparedBytes) {
        uint64_t sc8, mn8;
        quant::unpack_k_scales_mins8(x[b].scales, &sc8, &mn8);
        const __m512i scales =
            _mm512_zextsi256_si512(_mm256_cvtepu8_epi32(_mm_cvtsi64_si128((long long)sc8)));
        __m512i sumi = _mm512_setzero_si512();
        for (int h = 0; h < 2; ++h) {
            const __m512i q = _mm512_loadu_si512(x[b].qs + 64 * h);
            const __m512i lo = _mm512_and_si512(q, low);
            const __m512i hi = _mm512_and_si512(_mm512_srli_epi16(q, 4), low);
            const __m512i dlo =
                _mm512_dpbusd_epi32(_mm512_setzero_si512(), lo, _mm512_loadu_si512(p + 128 * h));
            const __m512i dhi = _mm512_dpbusd_epi32(_mm512_setzero_si512(), hi,
                                                    _mm512_loadu_si512(p + 128 * h + 64));
            sumi = _mm512_add_epi32(
                sumi, _mm512_mullo_epi32(dlo, _mm512_permutexvar_epi32(pick[2 * h], scales)));
            sumi = _mm512_add_epi32(
                sumi, _mm512_mullo_epi32(dhi, _mm512_permutexvar_epi32(pick[2 * h + 1], scales)));
        }
        float yd;
        std::memcpy(&yd, p + 288, 4);
        acc =
            _mm512_fmadd_ps(_mm512_cvtepi32_ps(sumi), _mm512_set1_ps(_cvtsh_ss(x[b].d) * yd), acc);
        const __m256i mins =
            _mm256_mullo_epi32(_mm256_cvtepu8_epi32(_mm_cvtsi64_si128((long long)mn8)),
                               _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 256)));
        acc_min = _mm256_fmadd_ps(_mm256_cvtepi32_ps(mins),
                                  _mm256_set1_ps(_cvtsh_ss(x[b].dmin) * yd), acc_min);
    }
    const __m256 folded = _mm256_sub_ps(
        _mm256_add_ps(_mm512_castps512_ps256(acc),
                      _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(acc), 1))),
        acc_min);
    __m128 r = _mm_add_ps(_mm256_castps256_ps128(folded), _mm256_extractf128_ps(folded, 1));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

// Q6_K against plain Q8_K, 64 values per 512-bit step: for half h the low nibbles of
// ql[64h..64h+63] are values 128h + 0..63 and the high nibbles values 128h + 64..127, in the
// activations' own order; their top two bits come from qh[32h..32h+31] (bit pairs 0, 1 for the
// low nibbles' two 32-byte halves, 2, 3 for the high ones). Levels are stored +32:
//   sum = d * yd * (sum_g sc_g * (q . y)_g - 32 * sum_g sc_g * bsum_g)
// Each vpdpbusd lane covers 4 values, so lanes 4i..4i+3 of step v belong to group 4v + i.
float dot_q6_k(int64_t n, const void* xv, const void* yv) {
    const BlockQ6_K* x = static_cast<const BlockQ6_K*>(xv);
    const BlockQ8_K* y = static_cast<const BlockQ8_K*>(yv);
    const __m512i low = _mm512_set1_epi8(0x0f), two = _mm512_set1_epi8(3);
    const __m512i pick[4] = {
        _mm512_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3),
        _mm512_setr_epi32(4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7),
        _mm512_setr_epi32(8, 8, 8, 8, 9, 9, 9, 9, 10, 10, 10, 10, 11, 11, 11, 11),
        _mm512_setr_epi32(12, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14, 14, 15, 15, 15, 15)};
    __m512 acc = _mm512_setzero_ps();
    for (int64_t b = 0; b < n / 256; ++b) {
        const __m512i scales =
            _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x[b].scales)));
        const __m512i bsums =
            _mm512_cvtepi16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[b].bsums)));
        __m512i sumi =
            _mm512_mullo_epi32(_mm512_mullo_epi32(scales, bsums), _mm512_set1_epi32(-32));
        for (int h = 0; h < 2; ++h) {
            const __m512i ql = in_register(_mm512_loadu_si512(x[b].ql + 64 * h));
            const __m256i qh =
                _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qh + 32 * h));
            const __m512i hlo =
                _mm512_inserti64x4(_mm512_zextsi256_si512(qh), _mm256_srli_epi16(qh, 2), 1);
            const __m512i hhi = _mm512_srli_epi16(hlo, 4);
            const __m512i qlo = _mm512_or_si512(_mm512_and_si512(ql, low),
                                                _mm512_slli_epi16(_mm512_and_si512(hlo, two), 4));
            const __m512i qhi = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql, 4), low),
                                                _mm512_slli_epi16(_mm512_and_si512(hhi, two), 4));
            const __m512i dlo = _mm512_dpbusd_epi32(_mm512_setzero_si512(), qlo,
                                                    _mm512_loadu_si512(y[b].qs + 128 * h));
            const __m512i dhi = _mm512_dpbusd_epi32(_mm512_setzero_si512(), qhi,
                                                    _mm512_loadu_si512(y[b].qs + 128 * h + 64));
            sumi = _mm512_add_epi32(
                sumi, _mm512_mullo_epi32(dlo, _mm512_permutexvar_epi32(pick[2 * h], scales)));
            sumi = _mm512_add_epi32(
                sumi, _mm512_mullo_epi32(dhi, _mm512_permutexvar_epi32(pick[2 * h + 1], scales)));
        }
        acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sumi), _mm512_set1_ps(_cvtsh_ss(x[b].d) * y[b].d),
                              acc);
    }
    return _mm512_reduce_add_ps(acc);
}

}  // namespace

QuantDots quant_dots_avx512() {
    QuantDots q;
    q.set(DType::Q8_0, DType::Q8_0, dot_q8_0);
    q.set(DType::Q4_0, DType::Q8_0, dot_q4_0);
    q.set(DType::Q6_K, DType::Q8_K, dot_q6_k);
    // Prepared rows hold whole block pairs (Q4_0) or super-blocks (Q4_K).
    q.set_prepared(DType::Q4_0, DType::Q8_0,
                   {prepare_q4_0, dot_q4_0_prepared, 64, kPairBytes, dot_q4_0_prepared_many});
    q.set_prepared(DType::Q4_K, DType::Q8_K,
                   {prepare_q4_k, dot_q4_k_prepared, 256, kQ4KPreparedBytes});
    return q;
}

}  // namespace lamina
