// The attention panel products (CpuKernels::matmul_panel16 and matmul_panel16x2) written once
// over the vector traits (simd/vec_traits.h): MR rows of a, read in place, against 16 or 32
// columns of b held as NV vectors per row.
#pragma once

#include <cstdint>

#include "backend/cpu/kernels.h"
#include "backend/cpu/simd/vec_traits.h"

namespace lamina::simd {

// Accumulators a tile may hold: what is left beside the b vectors and a broadcast, and no more
// than 16 (past that the FMAs are already covered and the loads of a set the pace).
template <class V>
constexpr int kPanelSums = V::kRegisters - 4 < 16 ? V::kRegisters - 4 : 16;

// Rows per full tile: as many as fill kPanelSums with one panel's NV = 16 / kLanes vectors.
template <class V>
constexpr int kPanelRows = kPanelSums<V> / (CpuKernels::kPanel16 / V::kLanes) < 8
                               ? kPanelSums<V> / (CpuKernels::kPanel16 / V::kLanes)
                               : 8;

// c[i][0..NV * kLanes) = sum_k a[i * lda + k] * b_u[k * ldb + ...] for i < MR, the u-th vector
// of each row from b[u / per_panel] (two panels apart in memory for panel16x2). Where the tile
// leaves room, KS = 2 sets of sums take even and odd k, for more FMAs in flight.
template <class V, int MR, int NV>
void panel_rows(int64_t kk, const float* a, int64_t lda, const float* const* b, int64_t ldb,
                float* c, int64_t ldc) {
    using F = typename V::F;
    constexpr int64_t L = V::kLanes, per_panel = CpuKernels::kPanel16 / L;
    constexpr int KS = 2 * MR * NV <= kPanelSums<V> ? 2 : 1;
    F s[KS][MR][NV];
#pragma GCC unroll 2
    for (int h = 0; h < KS; ++h)
#pragma GCC unroll 8
        for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
            for (int u = 0; u < NV; ++u) s[h][i][u] = V::zero();
    // H sets of sums (H = KS in the loop, 1 for an odd last k): the b vectors of every k
    // first, then each row's elements of a against them, row after row.
    auto step = [&]<int H>(int64_t k) __attribute__((always_inline)) {
        F w[H][NV];
#pragma GCC unroll 2
        for (int h = 0; h < H; ++h)
#pragma GCC unroll 4
            for (int u = 0; u < NV; ++u)
                w[h][u] = V::load(b[u / per_panel] + (k + h) * ldb + L * (u % per_panel));
#pragma GCC unroll 8
        for (int i = 0; i < MR; ++i)
#pragma GCC unroll 2
            for (int h = 0; h < H; ++h) {
                const F x = V::set1(a[i * lda + k + h]);
#pragma GCC unroll 4
                for (int u = 0; u < NV; ++u) s[h][i][u] = V::fma(x, w[h][u], s[h][i][u]);
            }
    };
    int64_t k = 0;
    for (; k + KS <= kk; k += KS) step.template operator()<KS>(k);
    if (k < kk) step.template operator()<1>(k);
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
        for (int u = 0; u < NV; ++u) {
            F v = s[0][i][u];
            if constexpr (KS == 2) v = V::add(v, s[1][i][u]);
            V::store(c + i * ldc + L * u, v);
        }
}

template <class V, int MR, int NV>
void panel_tail(int64_t kk, const float* a, int64_t lda, const float* const* b, int64_t ldb,
                float* c, int64_t ldc, int64_t m) {
    if constexpr (MR > 0) {
        if (m == MR) return panel_rows<V, MR, NV>(kk, a, lda, b, ldb, c, ldc);
        panel_tail<V, MR - 1, NV>(kk, a, lda, b, ldb, c, ldc, m);
    }
}

// MR rows at a time while more than MR + 2 remain, then the rest as one tile or two halves: a
// tile of 1-2 rows has too few independent sums to cover the FMA latency, so 8 rows on 6-row
// tiles run as 4 + 4 rather than 6 + 2.
template <class V, int MR, int NV>
void panel_product(int64_t m, int64_t kk, const float* a, int64_t lda, const float* const* b,
                   int64_t ldb, float* c, int64_t ldc) {
    int64_t i = 0;
    for (; m - i > MR + 2; i += MR)
        panel_rows<V, MR, NV>(kk, a + i * lda, lda, b, ldb, c + i * ldc, ldc);
    const int64_t r = m - i, first = r > MR ? r / 2 : r;
    panel_tail<V, MR, NV>(kk, a + i * lda, lda, b, ldb, c + i * ldc, ldc, first);
    if (r > first)
        panel_tail<V, MR, NV>(kk, a + (i + first) * lda, lda, b, ldb, c + (i + first) * ldc, ldc,
                              r - first);
}

template <class V>
void matmul_panel16(int64_t m, int64_t kk, const float* a, int64_t lda, const float* b, int64_t ldb,
                    float* c, int64_t ldc) {
    constexpr int NV = CpuKernels::kPanel16 / V::kLanes;
    const float* const panels[1] = {b};
    panel_product<V, kPanelRows<V>, NV>(m, kk, a, lda, panels, ldb, c, ldc);
}

// Both panels in one tile where its sums fit (each element of a broadcast once for both),
// otherwise one panel after the other.
template <class V>
void matmul_panel16x2(int64_t m, int64_t kk, const float* a, int64_t lda, const float* b0,
                      const float* b1, int64_t ldb, float* c, int64_t ldc) {
    constexpr int NV = 2 * CpuKernels::kPanel16 / V::kLanes;
    if constexpr (kPanelRows<V> * NV <= kPanelSums<V>) {
        const float* const panels[2] = {b0, b1};
        panel_product<V, kPanelRows<V>, NV>(m, kk, a, lda, panels, ldb, c, ldc);
    } else {
        matmul_panel16<V>(m, kk, a, lda, b0, ldb, c, ldc);
        matmul_panel16<V>(m, kk, a, lda, b1, ldb, c + CpuKernels::kPanel16, ldc);
    }
}

template <class V>
void install_panels(CpuKernels& k) {
    k.matmul_panel16 = matmul_panel16<V>;
    k.matmul_panel16x2 = matmul_panel16x2<V>;
}

}  // namespace lamina::simd
