// AVX2 matrix-vector kernels for Q4_0 and Q8_0 matrices interleaved in groups of eight rows
// (quant/interleave.h). One 256-bit load holds four bytes of each of the eight rows, so the
// products land in one lane per row: no horizontal sums, and the eight scales convert at once.
#include <immintrin.h>

#include <cstring>

#include "backend/cpu/kernels.h"
#include "backend/cpu/quant_convert_avx2.h"
#include "quant/blocks.h"
#include "quant/interleave.h"

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

}  // namespace

void install_interleaved_avx2(CpuKernels& k) {
    k.interleaved[(size_t)DType::Q4_0] = {prepare, dot8<Q4_0Column>, true};
    k.interleaved[(size_t)DType::Q8_0] = {prepare, dot8<Q8_0Column>, true};
}

}  // namespace lamina
