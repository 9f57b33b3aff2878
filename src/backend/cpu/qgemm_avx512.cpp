// AVX-512 VNNI micro-kernel of the integer GEMM (qgemm.h): a 6 x 32 tile of outputs, each
// sub-block summed exactly in int32 by vpdpbusd and scaled into float accumulators.
// Written per ISA, not over simd/vec_traits.h: the int8 products are the algorithm here, and
// vpdpbusd (four bytes straight into int32) needs other block orders, offsets and
// accumulation than AVX2's maddubs (byte pairs to saturating int16, widened by madd).
// GCC 12 reports its own AVX-512 intrinsics (which start from _mm512_undefined_*) as "(maybe)
// uninitialized" once inlined; the warning is about the header, not this code.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "backend/cpu/kernels.h"
#include "backend/cpu/qgemm.h"

namespace lamina {
namespace {

constexpr int kMr = (int)kQGemmMr;

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

// One panel of kMr activation rows against one tile of 32 weight rows over all n_sub
// sub-blocks of L = 4 * kSteps values. Per sub-block, the 2 x kMr int32 sums start at the
// offset correction (-C * sum(y)) or zero, take kSteps vpdpbusd each, and are scaled by
// dx * dy into the float accumulators; free-min formats add mx * (dy * sum(y)).
template <int kSteps, bool kMins>
void tile(const uint8_t* wt, const uint8_t* xp, int64_t n_sub, int rows, __mmask16 mask0,
          __mmask16 mask1, float* out, int64_t ldo) {
    constexpr int L = 4 * kSteps;
    constexpr int64_t w_sub = kQGemmNr * L + (kMins ? 256 : 128);
    constexpr int64_t x_sub = kMr * (L + 8);
    __m512 acc[kMr][2];
    for (int m = 0; m < kMr; ++m) acc[m][0] = acc[m][1] = _mm512_setzero_ps();
    for (int64_t b = 0; b < n_sub; ++b, wt += w_sub, xp += x_sub) {
        const uint8_t* dy = xp + L * kMr;
        const uint8_t* aux = dy + 4 * kMr;
        __m512i s[kMr][2];
        for (int m = 0; m < kMr; ++m)
            s[m][0] = s[m][1] =
                kMins ? _mm512_setzero_si512() : _mm512_set1_epi32(load_i32(aux + 4 * m));
        for (int st = 0; st < kSteps; ++st) {
            const __m512i w0 = _mm512_load_si512(wt + st * 128);
            const __m512i w1 = _mm512_load_si512(wt + st * 128 + 64);
            for (int m = 0; m < kMr; ++m) {
                const __m512i a = _mm512_set1_epi32(load_i32(xp + (st * kMr + m) * 4));
                s[m][0] = _mm512_dpbusd_epi32(s[m][0], w0, a);
                s[m][1] = _mm512_dpbusd_epi32(s[m][1], w1, a);
            }
        }
        const __m512 dx0 = _mm512_load_ps(wt + kQGemmNr * L);
        const __m512 dx1 = _mm512_load_ps(wt + kQGemmNr * L + 64);
        for (int m = 0; m < kMr; ++m) {
            const __m512 d = _mm512_set1_ps(load_f32(dy + 4 * m));
            acc[m][0] =
                _mm512_fmadd_ps(_mm512_cvtepi32_ps(s[m][0]), _mm512_mul_ps(dx0, d), acc[m][0]);
            acc[m][1] =
                _mm512_fmadd_ps(_mm512_cvtepi32_ps(s[m][1]), _mm512_mul_ps(dx1, d), acc[m][1]);
        }
        if constexpr (kMins) {
            const __m512 mx0 = _mm512_load_ps(wt + kQGemmNr * L + 128);
            const __m512 mx1 = _mm512_load_ps(wt + kQGemmNr * L + 192);
            for (int m = 0; m < kMr; ++m) {
                const __m512 sy = _mm512_set1_ps(load_f32(aux + 4 * m));
                acc[m][0] = _mm512_fmadd_ps(mx0, sy, acc[m][0]);
                acc[m][1] = _mm512_fmadd_ps(mx1, sy, acc[m][1]);
            }
        }
    }
    for (int m = 0; m < rows; ++m) {
        _mm512_mask_storeu_ps(out + m * ldo, mask0, acc[m][0]);
        _mm512_mask_storeu_ps(out + m * ldo + 16, mask1, acc[m][1]);
    }
}

using TileFn = void (*)(const uint8_t*, const uint8_t*, int64_t, int, __mmask16, __mmask16, float*,
                        int64_t);

TileFn pick_tile(const QGemmFormat& f) {
    if (f.sub == 16) return f.offset ? tile<4, false> : tile<4, true>;
    return f.offset ? tile<8, false> : tile<8, true>;
}

inline __mmask16 lanes(int64_t n) {
    return n >= 16 ? (__mmask16)0xFFFF : n <= 0 ? (__mmask16)0 : (__mmask16)((1u << n) - 1);
}

void qgemm_avx512(const QGemmArgs& a, int64_t n0, int64_t n1, uint8_t* scratch) {
    const TileFn kernel = pick_tile(*a.f);
    const int64_t n_sub = a.K / a.f->sub;
    qgemm_sweep(a, n0, n1, scratch,
                [&](const uint8_t* tile, const uint8_t* panel, int rows, int64_t cols, float* out) {
                    kernel(tile, panel, n_sub, rows, lanes(cols), lanes(cols - 16), out, a.ldo);
                });
}

}  // namespace

void install_avx512_qgemm(CpuKernels& k) {
    k.qgemm = qgemm_avx512;
}

}  // namespace lamina
