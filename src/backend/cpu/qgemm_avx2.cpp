// AVX2 micro-kernel of the integer GEMM (qgemm.h) for CPUs without VNNI: 6 activation rows x 16
// weight rows (half a packed tile) at a time, byte products by vpmaddubsw.
// Written per ISA, not over simd/vec_traits.h: the int8 products are the algorithm here, and
// maddubs (byte pairs to saturating int16, widened by madd) needs other block orders, offsets
// and accumulation than AVX-512 VNNI's vpdpbusd (four bytes straight into int32).
//
// vpmaddubsw multiplies unsigned weight bytes by signed activation bytes and adds neighbouring
// pairs into int16 with saturation. Activations are within [-127, 127], so one pair is at most
// 2 * 127 * max_q; how many steps of pairs fit in int16 decides the accumulation:
//   Int16:  the whole sub-block sums in int16 (vpaddw, no second multiply per step) and is
//           widened once: 4-bit levels over 32 values, 2- to 5-bit levels over 16;
//   Widen:  every step is widened to int32 by vpmaddwd at once (5-bit levels over 32, Q6_K);
//   Signed: levels stored as q + 128 (Q8_0, IQ4) would saturate a single pair, so the kernel
//           takes q back (xor 0x80) and multiplies |q| by the activation carrying q's sign,
//           widening every step; the packed offset correction (-128 * sum(y)) is then not used.
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "backend/cpu/kernels.h"
#include "backend/cpu/qgemm.h"
#include "backend/cpu/simd/vec_avx2.h"

namespace lamina {
namespace {

constexpr int kMr = (int)kQGemmMr;
constexpr int kHalf = 16;  // weight rows per micro-kernel call

enum class Sum { Int16, Widen, Signed };

inline int32_t load_i32(const uint8_t* p) {
    int32_t v;
    std::memcpy(&v, p, 4);
    return v;
}
inline float load_f32(const uint8_t* p) {
    float v;
    std::memcpy(&v, p, 4);
    return v;
}

// One panel of kMr activation rows against weight rows [16 * half, 16 * half + 16) of a packed
// tile over all n_sub sub-blocks of L = 4 * kSteps values; writes out[m][0..nr) for m < rows.
template <int kSteps, Sum kSum, bool kMins>
void half_tile(const uint8_t* wt, const uint8_t* xp, int64_t n_sub, int half, int rows, int64_t nr,
               float* out, int64_t ldo) {
    constexpr int L = 4 * kSteps;
    constexpr int64_t w_sub = kQGemmNr * L + (kMins ? 256 : 128);
    constexpr int64_t x_sub = kMr * (L + 8);
    constexpr bool kOffset = !kMins && kSum != Sum::Signed;
    const __m256i ones = _mm256_set1_epi16(1);
    const __m256i flip = _mm256_set1_epi8((char)0x80);
    wt += 32 * 2 * half;
    // The float sums live in memory (L1): the step loop needs 12 int16 sums, two weight vectors
    // and a broadcast, which fill the 16 registers.
    alignas(32) float acc[kMr][kHalf] = {};
    for (int64_t b = 0; b < n_sub; ++b, wt += w_sub, xp += x_sub) {
        const uint8_t* dy = xp + L * kMr;
        const uint8_t* aux = dy + 4 * kMr;
        __m256i s[kMr][2];
        for (int m = 0; m < kMr; ++m) s[m][0] = s[m][1] = _mm256_setzero_si256();
            // Fully unrolled, so the sums stay in registers rather than in a loop-carried array.
#pragma GCC unroll 8
        for (int st = 0; st < kSteps; ++st) {
            __m256i w0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(wt + st * 128));
            __m256i w1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(wt + st * 128 + 32));
            __m256i q0 = w0, q1 = w1;
            if constexpr (kSum == Sum::Signed) {
                q0 = _mm256_xor_si256(w0, flip);
                q1 = _mm256_xor_si256(w1, flip);
                w0 = _mm256_abs_epi8(q0);
                w1 = _mm256_abs_epi8(q1);
            }
#pragma GCC unroll 6
            for (int m = 0; m < kMr; ++m) {
                const __m256i a = _mm256_set1_epi32(load_i32(xp + (st * kMr + m) * 4));
                __m256i p0, p1;
                if constexpr (kSum == Sum::Signed) {
                    p0 = _mm256_maddubs_epi16(w0, _mm256_sign_epi8(a, q0));
                    p1 = _mm256_maddubs_epi16(w1, _mm256_sign_epi8(a, q1));
                } else {
                    p0 = _mm256_maddubs_epi16(w0, a);
                    p1 = _mm256_maddubs_epi16(w1, a);
                }
                if constexpr (kSum == Sum::Int16) {
                    s[m][0] = _mm256_add_epi16(s[m][0], p0);
                    s[m][1] = _mm256_add_epi16(s[m][1], p1);
                } else {
                    s[m][0] = _mm256_add_epi32(s[m][0], _mm256_madd_epi16(p0, ones));
                    s[m][1] = _mm256_add_epi32(s[m][1], _mm256_madd_epi16(p1, ones));
                }
                // Opaque to the optimizer: otherwise GCC reassociates the sums into a tree over
                // every step's products, which then live on the stack.
                __asm__("" : "+x"(s[m][0]), "+x"(s[m][1]));
            }
        }
        const uint8_t* dxp = wt - 32 * 2 * half + kQGemmNr * L + 4 * kHalf * half;
        const __m256 dx0 = _mm256_loadu_ps(reinterpret_cast<const float*>(dxp));
        const __m256 dx1 = _mm256_loadu_ps(reinterpret_cast<const float*>(dxp) + 8);
        for (int m = 0; m < kMr; ++m) {
            __m256i i0 = s[m][0], i1 = s[m][1];
            if constexpr (kSum == Sum::Int16) {
                i0 = _mm256_madd_epi16(i0, ones);
                i1 = _mm256_madd_epi16(i1, ones);
            }
            if constexpr (kOffset) {
                const __m256i corr = _mm256_set1_epi32(load_i32(aux + 4 * m));
                i0 = _mm256_add_epi32(i0, corr);
                i1 = _mm256_add_epi32(i1, corr);
            }
            const __m256 d = _mm256_set1_ps(load_f32(dy + 4 * m));
            __m256 a0 = _mm256_load_ps(acc[m]), a1 = _mm256_load_ps(acc[m] + 8);
            a0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(i0), _mm256_mul_ps(dx0, d), a0);
            a1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(i1), _mm256_mul_ps(dx1, d), a1);
            if constexpr (kMins) {
                const __m256 sy = _mm256_set1_ps(load_f32(aux + 4 * m));
                const float* mxp = reinterpret_cast<const float*>(dxp + 128);
                a0 = _mm256_fmadd_ps(_mm256_loadu_ps(mxp), sy, a0);
                a1 = _mm256_fmadd_ps(_mm256_loadu_ps(mxp + 8), sy, a1);
            }
            _mm256_store_ps(acc[m], a0);
            _mm256_store_ps(acc[m] + 8, a1);
        }
    }
    // A whole row takes plain moves: vmaskmovps stores are microcoded on AMD cores.
    for (int m = 0; m < rows; ++m) {
        float* o = out + m * ldo;
        const __m256 lo = _mm256_load_ps(acc[m]), hi = _mm256_load_ps(acc[m] + 8);
        if (nr == 16) {
            simd::Avx2::store(o, lo);
            simd::Avx2::store(o + 8, hi);
        } else {
            simd::Avx2::tail(nr).store(o, lo);
            simd::Avx2::tail(nr - 8).store(o + 8, hi);
        }
    }
}

using HalfTileFn = void (*)(const uint8_t*, const uint8_t*, int64_t, int, int, int64_t, float*,
                            int64_t);

template <int kSteps>
HalfTileFn pick_sum(const QGemmFormat& f) {
    const bool mins = f.offset == 0;
    if (f.max_q > 127) return half_tile<kSteps, Sum::Signed, false>;
    if (kSteps * 2 * 127 * f.max_q <= 32767)
        return mins ? half_tile<kSteps, Sum::Int16, true> : half_tile<kSteps, Sum::Int16, false>;
    return mins ? half_tile<kSteps, Sum::Widen, true> : half_tile<kSteps, Sum::Widen, false>;
}

HalfTileFn pick_half_tile(const QGemmFormat& f) {
    return f.sub == 16 ? pick_sum<4>(f) : pick_sum<8>(f);
}

void qgemm_avx2(const QGemmArgs& a, int64_t n0, int64_t n1, uint8_t* scratch) {
    const HalfTileFn kernel = pick_half_tile(*a.f);
    const int64_t n_sub = a.K / a.f->sub;
    qgemm_sweep(a, n0, n1, scratch,
                [&](const uint8_t* tile, const uint8_t* panel, int rows, int64_t cols, float* out) {
                    for (int h = 0; h < 2 && kHalf * h < cols; ++h)
                        kernel(tile, panel, n_sub, h, rows,
                               std::min<int64_t>(kHalf, cols - kHalf * h), out + kHalf * h, a.ldo);
                });
}

}  // namespace

void install_avx2_qgemm(CpuKernels& k) {
    k.qgemm = qgemm_avx2;
}

}  // namespace lamina
