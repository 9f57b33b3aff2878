// AVX2 matrix-vector kernels for Q4_0, Q8_0 and Q4_K matrices interleaved in groups of eight
// rows (backend/cpu/interleave.h). Each load holds bytes of several rows, so the products land in
// lanes of one row each: no horizontal sums per block, and the eight scales convert at once.
// Written per ISA, not over simd/vec_traits.h: the int8 products are the algorithm here, and
// maddubs (byte pairs to saturating int16, widened by madd) needs other block orders, offsets
// and accumulation than AVX-512 VNNI's vpdpbusd (four bytes straight into int32).
#include <immintrin.h>

#include <cstring>

#include "backend/cpu/interleave.h"
#include "backend/cpu/interleaved_q4k_avx2.h"
#include "backend/cpu/kernels.h"
#include "backend/cpu/quant_convert_avx2.h"
#include "quant/blocks.h"

namespace lamina {
namespace {

// Prepared Q8_0 activations, per block of 32 values, 40 bytes:
//   int8 qs[32] in value order; int32 off = -8 * sum(qs) (for Q4_0: turns sum(q * y) over the
//   unsigned nibbles q into sum((q - 8) * y)); float d.
constexpr size_t kBlockBytes = 40;

void prepare(const float* x, void* out, int64_t n) {
    auto* p = static_cast<uint8_t*>(out);
    for (int64_t i = 0; i < n; i += 32, p += kBlockBytes) {
        quant::BlockQ8_0 y;
        q8_0_from_float_avx2(x + i, &y, 32);
        int32_t sum = 0;
        for (int8_t q : y.qs) sum += q;
        const int32_t off = -8 * sum;
        const float d = _cvtsh_ss(y.d);
        std::memcpy(p, y.qs, 32);
        std::memcpy(p + 32, &off, 4);
        std::memcpy(p + 36, &d, 4);
    }
}

inline int32_t load_i32(const uint8_t* p) {
    int32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

// Q4_0: levels 0..15 against activations within +-127 keep a whole block's eight vpmaddubsw
// results inside int16 (8 * 2 * 15 * 127 = 30480), widened once per block.
struct Q4_0Column {
    static constexpr int64_t kBytes = 8 * sizeof(quant::BlockQ4_0);
    static __m256i sums(const uint8_t* col, const uint8_t* y) {
        const __m256i low = _mm256_set1_epi8(0x0f);
        __m256i s16 = _mm256_setzero_si256();
        for (int s = 0; s < 4; ++s) {
            const __m256i v =
                _mm256_loadu_si256(reinterpret_cast<const __m256i*>(col + 16 + 32 * s));
            const __m256i lo = _mm256_and_si256(v, low);
            const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low);
            s16 = _mm256_add_epi16(
                s16, _mm256_maddubs_epi16(lo, _mm256_set1_epi32(load_i32(y + 4 * s))));
            s16 = _mm256_add_epi16(
                s16, _mm256_maddubs_epi16(hi, _mm256_set1_epi32(load_i32(y + 16 + 4 * s))));
        }
        return _mm256_add_epi32(_mm256_madd_epi16(s16, _mm256_set1_epi16(1)),
                                _mm256_set1_epi32(load_i32(y + 32)));
    }
};

// Q8_0: signed weights, so each step multiplies |w| by the activation carrying w's sign; one
// pair can reach 2 * 127 * 127, so every step is widened to int32.
struct Q8_0Column {
    static constexpr int64_t kBytes = 8 * sizeof(quant::BlockQ8_0);
    static __m256i sums(const uint8_t* col, const uint8_t* y) {
        __m256i s32 = _mm256_setzero_si256();
        for (int s = 0; s < 8; ++s) {
            const __m256i w =
                _mm256_loadu_si256(reinterpret_cast<const __m256i*>(col + 16 + 32 * s));
            const __m256i a = _mm256_set1_epi32(load_i32(y + 4 * s));
            const __m256i p = _mm256_maddubs_epi16(_mm256_abs_epi8(w), _mm256_sign_epi8(a, w));
            s32 = _mm256_add_epi32(s32, _mm256_madd_epi16(p, _mm256_set1_epi16(1)));
        }
        return s32;
    }
};

inline __m256 column_scales(const uint8_t* col, const uint8_t* y) {
    float dy;
    std::memcpy(&dy, y + 36, 4);
    return _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(col))),
                         _mm256_set1_ps(dy));
}

// Software prefetch distance: the group streams sequentially, yet without it generation stays
// well short of the read bandwidth on the Zen 3 measured.
constexpr int64_t kAheadBytes = 2048;

template <typename Column>
void dot8(int64_t n, const void* group, const void* prepared, float* out) {
    const auto* col = static_cast<const uint8_t*>(group);
    const auto* y = static_cast<const uint8_t*>(prepared);
    constexpr int64_t kCol = Column::kBytes;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    const int64_t nb = n / 32;
    int64_t b = 0;
    for (; b + 2 <= nb; b += 2, col += 2 * kCol, y += 2 * kBlockBytes) {
        for (int64_t l = 0; l < 2 * kCol; l += 64)
            _mm_prefetch(reinterpret_cast<const char*>(col + kAheadBytes + l), _MM_HINT_T0);
        acc0 =
            _mm256_fmadd_ps(_mm256_cvtepi32_ps(Column::sums(col, y)), column_scales(col, y), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(Column::sums(col + kCol, y + kBlockBytes)),
                               column_scales(col + kCol, y + kBlockBytes), acc1);
    }
    if (b < nb)
        acc0 =
            _mm256_fmadd_ps(_mm256_cvtepi32_ps(Column::sums(col, y)), column_scales(col, y), acc0);
    _mm256_storeu_ps(out, _mm256_add_ps(acc0, acc1));
}

// Two groups side by side, a and b, as the AVX-512 set does: two memory streams. One
// accumulator per group (dot8's two per group spilled 60-77 vectors with two groups in sixteen
// registers), so the sums round in another order than dot8's. Measured with this kernel set on
// the Zen 5 host (LAMINA_ISA=avx2), interleaved runs of tg128: Q4_0 62.7-66.4 -> 70.4-71.8 t/s,
// Q8_0 40.8-40.9 -> 45.4-47.0; not yet on an AVX2-only CPU.
template <typename Column>
void dot8x2(int64_t n, const void* group_a, const void* group_b, const void* prepared, float* out_a,
            float* out_b) {
    const auto* ca = static_cast<const uint8_t*>(group_a);
    const auto* cb = static_cast<const uint8_t*>(group_b);
    const auto* y = static_cast<const uint8_t*>(prepared);
    constexpr int64_t kCol = Column::kBytes;
    __m256 acc_a = _mm256_setzero_ps(), acc_b = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / 32; ++b, ca += kCol, cb += kCol, y += kBlockBytes) {
        if (b % 2 == 0)
            for (int64_t l = 0; l < 2 * kCol; l += 64) {
                _mm_prefetch(reinterpret_cast<const char*>(ca + kAheadBytes + l), _MM_HINT_T0);
                _mm_prefetch(reinterpret_cast<const char*>(cb + kAheadBytes + l), _MM_HINT_T0);
            }
        acc_a =
            _mm256_fmadd_ps(_mm256_cvtepi32_ps(Column::sums(ca, y)), column_scales(ca, y), acc_a);
        acc_b =
            _mm256_fmadd_ps(_mm256_cvtepi32_ps(Column::sums(cb, y)), column_scales(cb, y), acc_b);
    }
    _mm256_storeu_ps(out_a, acc_a);
    _mm256_storeu_ps(out_b, acc_b);
}

// Prepared Q8_K activations for Q4_K, per 256-value super-block, 288 bytes:
//   int8  qs[256] in value order;
//   int16 pairs[8]: the sub-block sums s_0..s_7 (32 values each, |s_j| <= 4096), so that dword
//                   p holds (s_2p, s_2p+1) for vpmaddwd;
//   float d, then padding.
constexpr int64_t kQ4KPreparedBytes = 288;
constexpr int64_t kQ4KColumnBytes = 8 * sizeof(quant::BlockQ4_K);

void prepare_q4_k(const float* x, void* out, int64_t n) {
    auto* p = static_cast<uint8_t*>(out);
    for (int64_t i = 0; i < n; i += 256, p += kQ4KPreparedBytes) {
        quant::BlockQ8_K y;
        q8_k_from_float_avx2(x + i, &y, 256);
        std::memcpy(p, y.qs, 256);
        int16_t s[8];
        for (int j = 0; j < 8; ++j) s[j] = (int16_t)(y.bsums[2 * j] + y.bsums[2 * j + 1]);
        std::memcpy(p + 256, s, 16);
        std::memcpy(p + 272, &y.d, 4);
        std::memset(p + 276, 0, kQ4KPreparedBytes - 276);
    }
}

inline __m256i bcast_qword(const uint8_t* p) {
    int64_t v;
    std::memcpy(&v, p, 8);
    return _mm256_set1_epi64x(v);
}

// A 256-bit load of a 64-byte step holds eight bytes of four rows: dword lane 2 (r % 4) + h has
// bytes 4h..4h+3 of row r. vpmaddubsw sums each lane's bytes in pairs; four steps of one
// sub-block stay within int16 (8 * 15 * 128 = 15360), then vpmaddwd applies the sub-block's
// scale, the same for both int16 of a lane.
struct Q4KScalePick {
    // pshufb of the 16 scale bytes of sub-blocks 2c (bytes 0-7, one per row) and 2c + 1 (8-15),
    // repeated in both 128-bit lanes: [ab][rh] gives sub-block 2c + ab's scale of row
    // 4 rh + L / 2 as both int16 of dword lane L.
    __m256i pick[2][2];
    __m256i rows;  // vpermd: vphaddd's lane order [0 1 4 5 2 3 6 7] -> rows 0..7
    Q4KScalePick() {
        alignas(32) int8_t bytes[32];
        for (int ab = 0; ab < 2; ++ab)
            for (int rh = 0; rh < 2; ++rh) {
                for (int pos = 0; pos < 32; ++pos) {
                    const int lane = pos / 4;
                    bytes[pos] = (int8_t)(pos % 2 ? -128 : 8 * ab + 4 * rh + lane / 2);
                }
                pick[ab][rh] = _mm256_load_si256(reinterpret_cast<const __m256i*>(bytes));
            }
        rows = _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7);
    }
};

void dot8_q4_k(int64_t n, const void* group, const void* prepared, float* out) {
    static const Q4KScalePick kPick;
    const auto* col = static_cast<const uint8_t*>(group);
    const auto* y = static_cast<const uint8_t*>(prepared);
    const __m256i low = _mm256_set1_epi8(0x0f);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / 256; ++b, col += kQ4KColumnBytes, y += kQ4KPreparedBytes) {
        for (int64_t l = 0; l < kQ4KColumnBytes; l += 64)
            _mm_prefetch(reinterpret_cast<const char*>(col + kAheadBytes + l), _MM_HINT_T0);
        const Q4KRowBytes s8 = unpack_q4k_scales8(col);
        const __m256i sc[2] = {s8.lo, s8.hi};

        __m256i sum[2] = {_mm256_setzero_si256(), _mm256_setzero_si256()};  // rows 0-3, 4-7
        const uint8_t* q = col + 128;
        for (int c = 0; c < 4; ++c, q += 256) {
            // Sub-blocks 2c (low nibbles) and 2c + 1 (high nibbles) are one 128-bit lane of
            // sc[c / 2] (bytes [8 j + r]), repeated in both lanes for pshufb.
            const __m256i s_ab = c % 2 ? _mm256_permute4x64_epi64(sc[c / 2], 0xEE)
                                       : _mm256_permute4x64_epi64(sc[c / 2], 0x44);
            for (int rh = 0; rh < 2; ++rh) {
                __m256i a = _mm256_setzero_si256(), h = _mm256_setzero_si256();
#pragma GCC unroll 4
                for (int st = 0; st < 4; ++st) {
                    const __m256i w =
                        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + 64 * st + 32 * rh));
                    a = _mm256_add_epi16(a, _mm256_maddubs_epi16(_mm256_and_si256(w, low),
                                                                 bcast_qword(y + 64 * c + 8 * st)));
                    h = _mm256_add_epi16(
                        h, _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(w, 4), low),
                                                bcast_qword(y + 64 * c + 32 + 8 * st)));
                }
                sum[rh] = _mm256_add_epi32(
                    sum[rh], _mm256_madd_epi16(a, _mm256_shuffle_epi8(s_ab, kPick.pick[0][rh])));
                sum[rh] = _mm256_add_epi32(
                    sum[rh], _mm256_madd_epi16(h, _mm256_shuffle_epi8(s_ab, kPick.pick[1][rh])));
            }
        }
        const __m256i rows =
            _mm256_permutevar8x32_epi32(_mm256_hadd_epi32(sum[0], sum[1]), kPick.rows);
        // Mins: dword r = (m_2p[r], m_2p+1[r]) against (s_2p, s_2p+1), p = 0..3.
        const Q4KRowBytes m8 = unpack_q4k_mins8(col);
        const __m256i mn[2] = {m8.lo, m8.hi};
        __m256i summ = _mm256_setzero_si256();
        for (int p2 = 0; p2 < 2; ++p2) {
            const __m128i lo = _mm256_castsi256_si128(mn[p2]),
                          hi = _mm256_extracti128_si256(mn[p2], 1);
            const __m128i m01 = _mm_unpacklo_epi8(lo, _mm_srli_si128(lo, 8));
            const __m128i m23 = _mm_unpacklo_epi8(hi, _mm_srli_si128(hi, 8));
            int32_t pr[2];
            std::memcpy(pr, y + 256 + 8 * p2, 8);
            summ = _mm256_add_epi32(
                summ, _mm256_madd_epi16(_mm256_cvtepu8_epi16(m01), _mm256_set1_epi32(pr[0])));
            summ = _mm256_add_epi32(
                summ, _mm256_madd_epi16(_mm256_cvtepu8_epi16(m23), _mm256_set1_epi32(pr[1])));
        }
        float yd;
        std::memcpy(&yd, y + 272, 4);
        const __m256 vyd = _mm256_set1_ps(yd);
        const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(col)));
        const __m256 dmin =
            _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(col + 16)));
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(rows), _mm256_mul_ps(d, vyd), acc);
        acc = _mm256_fnmadd_ps(_mm256_cvtepi32_ps(summ), _mm256_mul_ps(dmin, vyd), acc);
    }
    _mm256_storeu_ps(out, acc);
}

}  // namespace

void install_interleaved_avx2(CpuKernels& k) {
    k.types[(size_t)DType::Q4_0].interleaved = {prepare, dot8<Q4_0Column>, true,
                                                dot8x2<Q4_0Column>};
    k.types[(size_t)DType::Q8_0].interleaved = {prepare, dot8<Q8_0Column>, true,
                                                dot8x2<Q8_0Column>};
    k.types[(size_t)DType::Q4_K].interleaved = {prepare_q4_k, dot8_q4_k, true};
}

}  // namespace lamina
