// AVX-512 VNNI matrix-vector kernels for Q4_0, Q8_0 and Q4_K matrices interleaved in groups of
// eight rows (backend/cpu/interleave.h). Every vpdpbusd lane belongs to one row, so there are no
// horizontal sums inside the loop, the eight rows' scales convert at once, and Q4_K's 6-bit
// scales unpack eight rows at a time.
// Written per ISA, not over simd/vec_traits.h: the int8 products are the algorithm here, and
// vpdpbusd (four bytes straight into int32) needs other block orders, offsets and
// accumulation than AVX2's maddubs (byte pairs to saturating int16, widened by madd).
// GCC 12 reports its own AVX-512 intrinsics as "(maybe) uninitialized" once inlined.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include <cstring>

#include "backend/cpu/avx512_util.h"
#include "backend/cpu/interleave.h"
#include "backend/cpu/interleaved_q4k_avx2.h"
#include "backend/cpu/kernels.h"
#include "backend/cpu/quant_convert_avx512.h"
#include "quant/blocks.h"

namespace lamina {
namespace {

// Prepared Q8_0 activations for Q4_0 and Q8_0, per block of 32 values, 40 bytes:
//   int8 qs[32] in value order; int32 offset * sum(qs); float d.
// The offset is the weight type's (its levels are stored shifted by -offset), so the kernel
// starts each block's integer sums from it with one broadcast load.
constexpr int64_t kBlockBytes = 40;

template <int32_t kOffset>
void prepare_q8_0(const float* x, void* out, int64_t n) {
    auto* p = static_cast<uint8_t*>(out);
    for (int64_t i = 0; i < n; i += 32, p += kBlockBytes) {
        quant::BlockQ8_0 y;
        q8_0_from_float_avx512(x + i, &y, 32);
        int32_t sum = 0;
        for (int8_t q : y.qs) sum += q;
        const int32_t offset_sum = kOffset * sum;
        const float d = _cvtsh_ss(y.d);
        std::memcpy(p, y.qs, 32);
        std::memcpy(p + 32, &offset_sum, 4);
        std::memcpy(p + 36, &d, 4);
    }
}

// Both layouts hold, per block column, d[8] and then the levels in 32-byte steps s of four bytes
// per row (byte 4 s + i of row r at 32 s + 4 r + i). One 512-bit load takes steps 2j and 2j + 1:
// dword lane 8 (s % 2) + r, so its activations are dwords (2j, 2j + 1) of the block, each
// repeated over eight lanes (one vpermd of the block's activations).
inline __m512i step_pair_pick(int first) {
    return _mm512_setr_epi32(first, first, first, first, first, first, first, first, first + 1,
                             first + 1, first + 1, first + 1, first + 1, first + 1, first + 1,
                             first + 1);
}

// Q4_0: levels 0..15 (value q - 8); the low nibbles of byte 4 s + i are value 4 s + i, the high
// nibbles value 16 + 4 s + i. Returns acc + sum(q * y) per lane.
struct Q4_0Column {
    static constexpr int64_t kBytes = 8 * sizeof(quant::BlockQ4_0);
    static constexpr int32_t kOffset = -8;
    static __m512i sums(const uint8_t* qs, __m512i y, __m512i acc) {
        const __m512i low = _mm512_set1_epi8(0x0f);
        for (int j = 0; j < 2; ++j) {
            const __m512i w = in_register(_mm512_loadu_si512(qs + 64 * j));
            acc = _mm512_dpbusd_epi32(acc, _mm512_and_si512(w, low),
                                      _mm512_permutexvar_epi32(step_pair_pick(2 * j), y));
            acc = _mm512_dpbusd_epi32(acc, _mm512_and_si512(_mm512_srli_epi16(w, 4), low),
                                      _mm512_permutexvar_epi32(step_pair_pick(4 + 2 * j), y));
        }
        return acc;
    }
};

// Q8_0: signed levels, taken as unsigned w + 128 (the sign bit flipped), so the sums carry
// 128 * sum(y) to remove. Returns acc + sum(w * y) per lane.
struct Q8_0Column {
    static constexpr int64_t kBytes = 8 * sizeof(quant::BlockQ8_0);
    static constexpr int32_t kOffset = -128;
    static __m512i sums(const uint8_t* qs, __m512i y, __m512i acc) {
        const __m512i flip = _mm512_set1_epi8((char)0x80);
        for (int j = 0; j < 4; ++j) {
            const __m512i w = _mm512_xor_si512(_mm512_loadu_si512(qs + 64 * j), flip);
            acc = _mm512_dpbusd_epi32(acc, w, _mm512_permutexvar_epi32(step_pair_pick(2 * j), y));
        }
        return acc;
    }
};

// Software prefetch distance: the group's columns stream sequentially.
constexpr int64_t kAheadBytes = 2048;

// Row r's sums come out in dword lanes r and 8 + r (even and odd steps): the float accumulator
// keeps both halves, with the row's scale in each, and adds them at the end; offset * sum(y)
// starts the lower half's integer sums. One block column of a group against the prepared
// block y, added to acc.
template <typename Column>
__attribute__((always_inline)) inline __m512 block_step(const uint8_t* col, const uint8_t* y,
                                                        __m512 acc) {
    int32_t offset_sum;
    float yd;
    std::memcpy(&offset_sum, y + 32, 4);
    std::memcpy(&yd, y + 36, 4);
    const __m512i s = Column::sums(
        col + 16, _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(y))),
        _mm512_maskz_set1_epi32(0x00FF, offset_sum));
    const __m512 d = _mm512_cvtph_ps(
        _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(col))));
    return _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), _mm512_mul_ps(d, _mm512_set1_ps(yd)), acc);
}

inline void store_block_rows(__m512 acc, float* out) {
    _mm256_storeu_ps(out,
                     _mm256_add_ps(_mm512_castps512_ps256(acc), _mm512_extractf32x8_ps(acc, 1)));
}

template <typename Column>
void dot8_blocks(int64_t n, const void* group, const void* prepared, float* out) {
    const auto* col = static_cast<const uint8_t*>(group);
    const auto* y = static_cast<const uint8_t*>(prepared);
    __m512 acc = _mm512_setzero_ps();
    for (int64_t b = 0; b < n / 32; ++b, col += Column::kBytes, y += kBlockBytes) {
        if (b % 2 == 0)
            for (int64_t l = 0; l < 2 * Column::kBytes; l += 64)
                _mm_prefetch(reinterpret_cast<const char*>(col + kAheadBytes + l), _MM_HINT_T0);
        acc = block_step<Column>(col, y, acc);
    }
    store_block_rows(acc, out);
}

// Two groups side by side, a and b (compute_interleaved passes the two halves of a claimed
// chunk): two memory streams, which the memory system serves faster than one, as for F16 row
// tiles. Zen 5, two threads, interleaved runs: Q4_0 tg128 66 -> 76 t/s, Q8_0 37 -> 45 (both
// streams fetched ahead as dot8_blocks does; without that, +0-10%). Q4_K's heavier kernel gained
// nothing this way and keeps one group at a time.
template <typename Column>
void dot8x2_blocks(int64_t n, const void* group_a, const void* group_b, const void* prepared,
                   float* out_a, float* out_b) {
    const auto* ca = static_cast<const uint8_t*>(group_a);
    const auto* cb = static_cast<const uint8_t*>(group_b);
    const auto* y = static_cast<const uint8_t*>(prepared);
    __m512 acc_a = _mm512_setzero_ps(), acc_b = _mm512_setzero_ps();
    for (int64_t b = 0; b < n / 32; ++b) {
        if (b % 2 == 0)
            for (int64_t l = 0; l < 2 * Column::kBytes; l += 64) {
                const int64_t ahead = b * Column::kBytes + kAheadBytes + l;
                _mm_prefetch(reinterpret_cast<const char*>(ca + ahead), _MM_HINT_T0);
                _mm_prefetch(reinterpret_cast<const char*>(cb + ahead), _MM_HINT_T0);
            }
        acc_a = block_step<Column>(ca + b * Column::kBytes, y + b * kBlockBytes, acc_a);
        acc_b = block_step<Column>(cb + b * Column::kBytes, y + b * kBlockBytes, acc_b);
    }
    store_block_rows(acc_a, out_a);
    store_block_rows(acc_b, out_b);
}

// Prepared Q8_K activations, per 256-value super-block, 448 bytes:
//   int8  qs[256]:  in value order;
//   int16 mins[64]: the sub-block sums s_j (32 values each, |s_j| <= 4096) laid out for the
//                   mins' vpdpwssd: in each 128-bit lane, dwords (s_0, s_1), (s_0, s_1),
//                   (s_2, s_3), (s_2, s_3); then the same with s_4..s_7;
//   float   d, then padding to a multiple of 64 bytes.
constexpr int64_t kPreparedBytes = 448;
constexpr int64_t kColumnBytes = quant::kInterleave * sizeof(quant::BlockQ4_K);

void prepare_q4_k(const float* x, void* out, int64_t n) {
    auto* p = static_cast<uint8_t*>(out);
    for (int64_t i = 0; i < n; i += 256, p += kPreparedBytes) {
        quant::BlockQ8_K y;
        q8_k_from_float_avx512(x + i, &y, 256);
        std::memcpy(p, y.qs, 256);
        int16_t s[8];
        for (int j = 0; j < 8; ++j) s[j] = (int16_t)(y.bsums[2 * j] + y.bsums[2 * j + 1]);
        int16_t mins[64];
        for (int q = 0; q < 2; ++q)
            for (int lane = 0; lane < 16; ++lane) {
                const int pair = 2 * q + (lane % 4) / 2;
                mins[32 * q + 2 * lane] = s[2 * pair];
                mins[32 * q + 2 * lane + 1] = s[2 * pair + 1];
            }
        std::memcpy(p + 256, mins, sizeof(mins));
        std::memcpy(p + 384, &y.d, 4);
        std::memset(p + 388, 0, kPreparedBytes - 388);
    }
}

// The sums below leave row r's results in two dword lanes, 4 (r / 2) + r % 2 and that plus 2
// (vpackssdw's order, see dot8_q4_k). Index vectors for vpermw and vpermps that build vectors in
// that layout from per-row values.
struct Layout {
    __m512i scale_pick[2];  // int16 [8 j + r] (four sub-blocks) -> sub-blocks (2c', 2c' + 1)
    __m512i min_pick;       // int16 [8 j + r] (four sub-blocks) -> min pairs for vpdpwssd
    __m512i row_pick;       // float [r] -> both of row r's lanes
    Layout() {
        alignas(64) int16_t sp[2][32], mp[32];
        alignas(64) int32_t rp[16];
        for (int lane = 0; lane < 16; ++lane) {
            const int row = 2 * (lane / 4) + lane % 2, ab = (lane % 4) / 2;
            rp[lane] = row;
            for (int e = 0; e < 2; ++e) {
                for (int c = 0; c < 2; ++c) sp[c][2 * lane + e] = (int16_t)(8 * (2 * c + ab) + row);
                mp[2 * lane + e] = (int16_t)(8 * (2 * ab + e) + row);
            }
        }
        scale_pick[0] = _mm512_load_si512(sp[0]);
        scale_pick[1] = _mm512_load_si512(sp[1]);
        min_pick = _mm512_load_si512(mp);
        row_pick = _mm512_load_si512(rp);
    }
};

inline __m512i bcast_qword(const uint8_t* p) {
    int64_t v;
    std::memcpy(&v, p, 8);
    return _mm512_set1_epi64(v);
}

// Per super-block b and row r: d * yd * sum_j sc_j (q . y)_j - dmin * yd * sum_j m_j s_j, with
// (q . y)_j over sub-block j's 32 values. Chunk c's low nibbles are sub-block 2c, its high
// nibbles 2c + 1; after four vpdpbusd steps each dword lane holds 16 values' products (within
// +-16 * 15 * 128), so vpackssdw narrows them to int16 exactly and one vpdpwssd applies both
// sub-blocks' scales, adding each row's two halves together.
void dot8_q4_k(int64_t n, const void* group, const void* prepared, float* out) {
    static const Layout kLayout;
    const Layout& L = kLayout;
    const auto* col = static_cast<const uint8_t*>(group);
    const auto* y = static_cast<const uint8_t*>(prepared);
    const __m512i low = _mm512_set1_epi8(0x0f);
    __m512 acc = _mm512_setzero_ps();
    for (int64_t b = 0; b < n / 256; ++b, col += kColumnBytes, y += kPreparedBytes) {
        for (int64_t l = 0; l < kColumnBytes; l += 64)
            _mm_prefetch(reinterpret_cast<const char*>(col + kAheadBytes + l), _MM_HINT_T0);
        const Q4KRowBytes s8 = unpack_q4k_scales8(col);
        const __m256i sc[2] = {s8.lo, s8.hi};
        const __m512i sc16[2] = {_mm512_cvtepu8_epi16(sc[0]), _mm512_cvtepu8_epi16(sc[1])};

        __m512i sumi = _mm512_setzero_si512();
        const uint8_t* q = col + 128;
        for (int c = 0; c < 4; ++c, q += 256) {
            __m512i a = _mm512_setzero_si512(), h = _mm512_setzero_si512();
#pragma GCC unroll 4
            for (int s = 0; s < 4; ++s) {
                const __m512i w = in_register(_mm512_loadu_si512(q + 64 * s));
                a = _mm512_dpbusd_epi32(a, _mm512_and_si512(w, low),
                                        bcast_qword(y + 64 * c + 8 * s));
                h = _mm512_dpbusd_epi32(h, _mm512_and_si512(_mm512_srli_epi16(w, 4), low),
                                        bcast_qword(y + 64 * c + 32 + 8 * s));
            }
            const __m512i scales = _mm512_permutexvar_epi16(L.scale_pick[c % 2], sc16[c / 2]);
            sumi = _mm512_dpwssd_epi32(sumi, _mm512_packs_epi32(a, h), scales);
        }
        const Q4KRowBytes m8 = unpack_q4k_mins8(col);
        const __m256i mn[2] = {m8.lo, m8.hi};
        const __m512i mins16[2] = {
            _mm512_permutexvar_epi16(L.min_pick, _mm512_cvtepu8_epi16(mn[0])),
            _mm512_permutexvar_epi16(L.min_pick, _mm512_cvtepu8_epi16(mn[1]))};
        __m512i summ =
            _mm512_dpwssd_epi32(_mm512_setzero_si512(), mins16[0], _mm512_loadu_si512(y + 256));
        summ = _mm512_dpwssd_epi32(summ, mins16[1], _mm512_loadu_si512(y + 320));

        float yd;
        std::memcpy(&yd, y + 384, 4);
        const __m512 vyd = _mm512_set1_ps(yd);
        const __m512 d = _mm512_permutexvar_ps(
            L.row_pick, _mm512_castps256_ps512(_mm256_cvtph_ps(
                            _mm_loadu_si128(reinterpret_cast<const __m128i*>(col)))));
        const __m512 dmin = _mm512_permutexvar_ps(
            L.row_pick, _mm512_castps256_ps512(_mm256_cvtph_ps(
                            _mm_loadu_si128(reinterpret_cast<const __m128i*>(col + 16)))));
        acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sumi), _mm512_mul_ps(d, vyd), acc);
        acc = _mm512_fnmadd_ps(_mm512_cvtepi32_ps(summ), _mm512_mul_ps(dmin, vyd), acc);
    }
    // Row r's two lanes, 4 (r / 2) + r % 2 and + 2, added; then the eight rows gathered.
    const __m512 both = _mm512_add_ps(acc, _mm512_shuffle_ps(acc, acc, _MM_SHUFFLE(1, 0, 3, 2)));
    const __m512i gather = _mm512_setr_epi32(0, 1, 4, 5, 8, 9, 12, 13, 0, 0, 0, 0, 0, 0, 0, 0);
    _mm256_storeu_ps(out, _mm512_castps512_ps256(_mm512_permutexvar_ps(gather, both)));
}

}  // namespace

void install_interleaved_avx512(CpuKernels& k) {
    k.types[(size_t)DType::Q4_0].interleaved = {prepare_q8_0<Q4_0Column::kOffset>,
                                                dot8_blocks<Q4_0Column>, true,
                                                dot8x2_blocks<Q4_0Column>};
    k.types[(size_t)DType::Q8_0].interleaved = {prepare_q8_0<Q8_0Column::kOffset>,
                                                dot8_blocks<Q8_0Column>, true,
                                                dot8x2_blocks<Q8_0Column>};
    k.types[(size_t)DType::Q4_K].interleaved = {prepare_q4_k, dot8_q4_k, true};
}

}  // namespace lamina
