// The float GEMM's pieces written once over the vector traits (simd/vec_traits.h): the register
// tile of MR activation rows x 2 * kLanes weight rows (the micro-kernel), the weight packing
// into k-major float tiles, and the multi-row GEMV for F32, F16 and BF16 weights. The blocking
// around the micro-kernel (block sizes, prefetches, row tiles read in place) is tuned per
// machine and stays in each ISA's gemm_<isa>.cpp.
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <cstdint>

#include "backend/cpu/gemm.h"
#include "backend/cpu/kernels.h"
#include "backend/cpu/simd/vec_traits.h"

namespace lamina::simd {

// Weight rows per tile: two vectors of outputs per activation row. Activation rows per panel:
// two accumulators each, beside the two weight vectors and a broadcast (6 on 16 registers, 12
// on 32, leaving four spare there).
template <class V>
constexpr int64_t kGemmNr = 2 * V::kLanes;
template <class V>
constexpr int64_t kGemmMr = std::min<int64_t>(12, (V::kRegisters - 4) / 2);

// Weights of element type E (AsF32, AsF16, AsBF16) as float vectors from row + k.
template <class V, class E>
struct GemmWeights {
    using T = typename E::T;
    static constexpr int64_t kBytes = sizeof(T);
    template <class Lanes>
    static typename V::F load(const Lanes& l, const void* row, int64_t k) {
        return E::load(l, static_cast<const T*>(row) + k);
    }
    static typename V::F load(const void* row, int64_t k) { return load(FullLanes<V>{}, row, k); }
};

// Packs weight rows [0, nr) x columns [k0, k0 + kc) as float32, k-major: wp[k][kGemmNr], rows
// past nr zero, so the micro-kernel loads two whole vectors per k. Each kLanes x kLanes block
// is converted and transposed in registers: packing is paid once per weight block, but a scalar
// transpose cost ~8% of a prompt's GEMM.
template <class V, class W>
void pack_w(const uint8_t* w, size_t ldw, int64_t nr, int64_t k0, int64_t kc, float* wp) {
    using F = typename V::F;
    constexpr int64_t L = V::kLanes, Nr = kGemmNr<V>;
    for (int64_t g = 0; g < Nr / L; ++g) {
        const int64_t rows = std::clamp<int64_t>(nr - g * L, 0, L);
        auto block = [&](int64_t k, auto lanes, int64_t cols) {
            F r[L];
#pragma GCC unroll 16
            for (int64_t j = 0; j < L; ++j)
                r[j] = j < rows ? W::load(lanes, w + (g * L + j) * ldw, k0 + k) : V::zero();
            V::transpose(r);
            for (int64_t c = 0; c < cols; ++c) V::store_aligned(wp + (k + c) * Nr + g * L, r[c]);
        };
        int64_t k = 0;
        for (; k + L <= kc; k += L) block(k, FullLanes<V>{}, L);
        if (k < kc) block(k, V::tail(kc - k), kc - k);
    }
}

// The same from weights in row tiles (backend/cpu/row_tiles.h; their rows are whole tiles): rows
// [r, r + kGemmNr) of a tile of T rows, columns [0, kc) from col (the tile's column k0): each
// column's rows are already consecutive, so packing is a conversion.
template <class V, class W>
void pack_w_from_tile(const uint8_t* col, int64_t T, int64_t r, int64_t kc, float* wp) {
    constexpr int64_t Nr = kGemmNr<V>;
    for (int64_t k = 0; k < kc; ++k) {
        const uint8_t* c = col + (size_t)(k * T) * W::kBytes;
        for (int64_t h = 0; h < Nr; h += V::kLanes)
            V::store_aligned(wp + k * Nr + h, W::load(c, r + h));
    }
}

// out[i][0..nr) (+)= sum_k xp[k][i] * wt[k][0..nr) for i < mr, then + add[i][0..nr) (rows ld_add
// floats apart) when add is set: the order in which a separate Add would round. The weight tile
// wt holds kGemmNr elements per k, of W's type: packed floats, or a row tile of the weights
// themselves (converted here, which costs no time: the FMAs are the bound). MR of the panel's
// kGemmMr rows are computed: a prompt's last panel is often part full (M = 512 leaves 8 of 12),
// and a full tile spends its FMAs on the zero rows; short prompts lose the most.
template <class V, int MR, class W>
void micro_tile(const float* xp, const void* wt, int64_t kc, float* out, int64_t ldo, int64_t mr,
                int64_t nr, bool accumulate, const float* add, int64_t ld_add) {
    using F = typename V::F;
    constexpr int64_t L = V::kLanes, Nr = kGemmNr<V>, Mr = kGemmMr<V>;
    static_assert(MR <= Mr);
    F c0[MR], c1[MR];
#pragma GCC unroll 12
    for (int i = 0; i < MR; ++i) c0[i] = c1[i] = V::zero();
    for (int64_t k = 0; k < kc; ++k) {
        const F w0 = W::load(wt, k * Nr), w1 = W::load(wt, k * Nr + L);
        const float* x = xp + k * Mr;
#pragma GCC unroll 12
        for (int i = 0; i < MR; ++i) {
            const F b = V::set1(x[i]);
            c0[i] = V::fma(w0, b, c0[i]);
            c1[i] = V::fma(w1, b, c1[i]);
        }
    }
    // Whole tiles take plain loads and stores: masked ones are slower on AMD cores (the down
    // projection, which reloads its outputs 22 times, ran 5% faster without them on Zen 5).
    // Unrolled with constant indices so that the accumulators stay in registers.
    auto finish = [&](auto lanes0, auto lanes1) __attribute__((always_inline)) {
#pragma GCC unroll 12
        for (int i = 0; i < MR; ++i) {
            if (i >= mr) break;
            float* o = out + i * ldo;
            if (accumulate) {
                c0[i] = V::add(c0[i], lanes0.load(o));
                c1[i] = V::add(c1[i], lanes1.load(o + L));
            }
            if (add) {
                c0[i] = V::add(c0[i], lanes0.load(add + i * ld_add));
                c1[i] = V::add(c1[i], lanes1.load(add + i * ld_add + L));
            }
            lanes0.store(o, c0[i]);
            lanes1.store(o + L, c1[i]);
        }
    };
    if (nr == Nr)
        finish(FullLanes<V>{}, FullLanes<V>{});
    else
        finish(V::tail(std::min(nr, L)), V::tail(std::max<int64_t>(nr - L, 0)));
}

// The tile for a panel of mr rows: the smallest of a third, two thirds and all of kGemmMr that
// holds them.
using MicroTileFn = void (*)(const float*, const void*, int64_t, float*, int64_t, int64_t, int64_t,
                             bool, const float*, int64_t);
template <class V, class W>
MicroTileFn micro_tile_for(int64_t mr) {
    constexpr int third = (int)kGemmMr<V> / 3;
    return mr > 2 * third ? micro_tile<V, 3 * third, W>
           : mr > third   ? micro_tile<V, 2 * third, W>
                          : micro_tile<V, third, W>;
}

// Software prefetch distance for the weight streams, in elements (tuned on Zen 5, 2 threads).
constexpr int64_t kGemvPrefetchElems = 256;

// Four weight rows against MX activation rows: 4 x MX accumulators, each weight vector loaded
// (and converted) once for all activation rows; the tails masked.
template <class V, class W, int MX>
void gemv_rows(int64_t K, const uint8_t* w, size_t ldw, int64_t nrows, const float* x, int64_t ldx,
               float* out, int64_t ldo) {
    using F = typename V::F;
    constexpr int64_t L = V::kLanes;
    if constexpr (MX == 1) {
        // One activation row gains nothing from sharing it across weight rows (it stays in L1):
        // reading row after row keeps a single sequential stream for the hardware prefetcher.
        for (int64_t n = 0; n < nrows; ++n) {
            const uint8_t* r = w + n * ldw;
            F a0 = V::zero(), a1 = V::zero(), a2 = V::zero(), a3 = V::zero();
            int64_t k = 0;
            for (; k + 4 * L <= K; k += 4 * L) {
                a0 = V::fma(W::load(r, k), V::load(x + k), a0);
                a1 = V::fma(W::load(r, k + L), V::load(x + k + L), a1);
                a2 = V::fma(W::load(r, k + 2 * L), V::load(x + k + 2 * L), a2);
                a3 = V::fma(W::load(r, k + 3 * L), V::load(x + k + 3 * L), a3);
            }
            for_each_vector<V>(K - k, [&](int64_t j, auto lanes) {
                a0 = V::fma(W::load(lanes, r, k + j), lanes.load(x + k + j), a0);
            });
            out[n] = V::reduce_add(V::add(V::add(a0, a1), V::add(a2, a3)));
        }
        return;
    }
    for (int64_t n = 0; n < nrows; n += 4) {
        const int64_t rows = std::min<int64_t>(4, nrows - n);
        const uint8_t* r = w + n * ldw;
        F a[4][MX];
        for (int j = 0; j < 4; ++j)
            for (int m = 0; m < MX; ++m) a[j][m] = V::zero();
        if (rows == 4) {
            int64_t k = 0;
            for (; k + L <= K; k += L) {
                F xv[MX];
                for (int m = 0; m < MX; ++m) xv[m] = V::load(x + m * ldx + k);
                // One prefetch per cache line of each row: on AVX2 a line is four steps of F16,
                // and a prefetch every step made the four-row product 1.5x slower.
                const bool new_line = (k * W::kBytes) % 64 < L * W::kBytes;
#pragma GCC unroll 4
                for (int j = 0; j < 4; ++j) {
                    if (new_line)
                        _mm_prefetch(
                            (const char*)(r + j * ldw) + (k + kGemvPrefetchElems) * W::kBytes,
                            _MM_HINT_T0);
                    const F wv = W::load(r + j * ldw, k);
                    for (int m = 0; m < MX; ++m) a[j][m] = V::fma(wv, xv[m], a[j][m]);
                }
            }
            if (k < K) {
                const typename V::Tail t = V::tail(K - k);
                F xv[MX];
                for (int m = 0; m < MX; ++m) xv[m] = t.load(x + m * ldx + k);
                for (int j = 0; j < 4; ++j) {
                    const F wv = W::load(t, r + j * ldw, k);
                    for (int m = 0; m < MX; ++m) a[j][m] = V::fma(wv, xv[m], a[j][m]);
                }
            }
        } else {
            for_each_vector<V>(K, [&](int64_t k, auto lanes) {
                for (int j = 0; j < rows; ++j) {
                    const F wv = W::load(lanes, r + j * ldw, k);
                    for (int m = 0; m < MX; ++m)
                        a[j][m] = V::fma(wv, lanes.load(x + m * ldx + k), a[j][m]);
                }
            });
        }
        for (int j = 0; j < rows; ++j)
            for (int m = 0; m < MX; ++m) out[m * ldo + n + j] = V::reduce_add(a[j][m]);
    }
}

template <class V, class W>
void gemv(int64_t K, const void* w, size_t ldw, int64_t nrows, const float* x, int64_t ldx,
          int64_t M, float* out, int64_t ldo) {
    const uint8_t* wb = static_cast<const uint8_t*>(w);
    switch (M) {
        case 1:
            return gemv_rows<V, W, 1>(K, wb, ldw, nrows, x, ldx, out, ldo);
        case 2:
            return gemv_rows<V, W, 2>(K, wb, ldw, nrows, x, ldx, out, ldo);
        case 3:
            return gemv_rows<V, W, 3>(K, wb, ldw, nrows, x, ldx, out, ldo);
        default:
            return gemv_rows<V, W, 4>(K, wb, ldw, nrows, x, ldx, out, ldo);
    }
}

template <class V>
void install_gemv(CpuKernels& k) {
    k.types[(size_t)DType::F32].gemv = gemv<V, GemmWeights<V, AsF32>>;
    k.types[(size_t)DType::F16].gemv = gemv<V, GemmWeights<V, AsF16>>;
    k.types[(size_t)DType::BF16].gemv = gemv<V, GemmWeights<V, AsBF16>>;
}

}  // namespace lamina::simd
