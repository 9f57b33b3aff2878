// Attention over an F16 K/V cache for the query rows that share one head (CpuKernels::
// attn_scores_f16 and attn_values_f16), written once over the vector traits (simd/vec_traits.h).
// Where the register file decides the strategy (keys held in registers, rows per value pass),
// the choice is made from V::kRegisters, not per ISA.
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <cstdint>

#include "backend/cpu/simd/elementwise.h"
#include "backend/cpu/simd/vec_traits.h"

namespace lamina::simd {

// Cache rows of one head are a few hundred bytes apart (the other heads lie between), a stride
// the hardware prefetchers follow poorly: reading a 4096-deep cache from memory took 4x longer
// without these prefetches (measured on Zen 5; 8 to 32 rows ahead all do as well).
constexpr int64_t kAttnPrefetchRows = 16;
template <class V>
inline void prefetch_row(const uint16_t* row, int64_t d) {
    for (int64_t b = 0; b < d * 2; b += 64)
        _mm_prefetch(reinterpret_cast<const char*>(row) + b, _MM_HINT_T0);
}

// Keys that find no block: one dot per key and query row.
template <class V>
void attn_scores_each(int64_t d, const uint16_t* k, int64_t stride, int64_t j, int64_t n,
                      const float* q, int64_t ldq, int64_t g, float scale, float* scores,
                      int64_t lds) {
    for (; j < n; ++j)
        for (int64_t i = 0; i < g; ++i)
            scores[i * lds + j] = scale * dot<V, AsF16>(d, k + j * stride, q + i * ldq);
}

// For head sizes of CH whole vectors: KEYS keys converted into registers (KEYS x CH at most half
// the register file) and dotted with each query row straight from there, instead of through the
// stack, where every multiply-add needed a load and the load ports, not the FMAs, set the pace.
template <class V, int CH, int KEYS>
void attn_scores_regs(const uint16_t* k, int64_t stride, int64_t n, const float* q, int64_t ldq,
                      int64_t g, float scale, float* scores, int64_t lds) {
    static_assert(KEYS * CH <= V::kRegisters / 2 && (KEYS == 2 || KEYS == 4));
    using F = typename V::F;
    constexpr int64_t L = V::kLanes, d = L * CH;
    const __m128 vscale = _mm_set1_ps(scale);
    int64_t j = 0;
    for (; j + KEYS <= n; j += KEYS) {
        for (int r = 0; r < KEYS; ++r)
            if (j + kAttnPrefetchRows + r < n)
                prefetch_row<V>(k + (j + kAttnPrefetchRows + r) * stride, d);
        F kr[KEYS][CH];
#pragma GCC unroll 4
        for (int r = 0; r < KEYS; ++r)
#pragma GCC unroll 8
            for (int c = 0; c < CH; ++c) kr[r][c] = V::load_f16(k + (j + r) * stride + L * c);
        for (int64_t i = 0; i < g; ++i) {
            const float* qi = q + i * ldq;
            F a[4];
#pragma GCC unroll 4
            for (int r = 0; r < 4; ++r) a[r] = V::zero();
#pragma GCC unroll 8
            for (int c = 0; c < CH; ++c) {
                const F qc = V::load(qi + L * c);
#pragma GCC unroll 4
                for (int r = 0; r < KEYS; ++r) a[r] = V::fma(kr[r][c], qc, a[r]);
            }
            const __m128 sums = _mm_mul_ps(V::reduce_add4(a[0], a[1], a[2], a[3]), vscale);
            if constexpr (KEYS == 4)
                _mm_storeu_ps(scores + i * lds + j, sums);
            else
                _mm_storel_pi(reinterpret_cast<__m64*>(scores + i * lds + j), sums);
        }
    }
    attn_scores_each<V>(d, k, stride, j, n, q, ldq, g, scale, scores, lds);
}

// Keys four at a time, converted once into float rows on the stack (the part of the last vector
// past d zero), then dotted with the query rows QR at a time: eight independent sums for two
// rows, six loads per eight FMAs.
constexpr int64_t kAttnMaxD = 256;

template <class V, int QR, bool kTail>
__attribute__((always_inline)) inline void scores_4keys(int64_t d, typename V::Tail tail,
                                                        const float (*kf)[kAttnMaxD],
                                                        const float* q, int64_t ldq, float scale,
                                                        float* scores, int64_t lds) {
    using F = typename V::F;
    F a[QR][4];
#pragma GCC unroll 2
    for (int i = 0; i < QR; ++i)
        for (int r = 0; r < 4; ++r) a[i][r] = V::zero();
    auto step = [&](int64_t c, auto lanes) __attribute__((always_inline)) {
        const F k0 = V::load_aligned(kf[0] + c), k1 = V::load_aligned(kf[1] + c),
                k2 = V::load_aligned(kf[2] + c), k3 = V::load_aligned(kf[3] + c);
#pragma GCC unroll 2
        for (int i = 0; i < QR; ++i) {
            const F qc = lanes.load(q + i * ldq + c);
            a[i][0] = V::fma(k0, qc, a[i][0]);
            a[i][1] = V::fma(k1, qc, a[i][1]);
            a[i][2] = V::fma(k2, qc, a[i][2]);
            a[i][3] = V::fma(k3, qc, a[i][3]);
        }
    };
    int64_t c = 0;
    for (; c + V::kLanes <= d; c += V::kLanes) step(c, FullLanes<V>{});
    if constexpr (kTail) step(c, tail);
#pragma GCC unroll 2
    for (int i = 0; i < QR; ++i)
        _mm_storeu_ps(
            scores + i * lds,
            _mm_mul_ps(V::reduce_add4(a[i][0], a[i][1], a[i][2], a[i][3]), _mm_set1_ps(scale)));
}

// The keys of whole groups of four through the stack, returning how many were done; a head size
// of whole vectors (kTail false) takes no tail step: those checks cost AVX2 8% at d = 64.
template <class V, bool kTail>
int64_t attn_scores_staged(int64_t d, const uint16_t* k, int64_t stride, int64_t n, const float* q,
                           int64_t ldq, int64_t g, float scale, float* scores, int64_t lds) {
    constexpr int64_t L = V::kLanes;
    alignas(64) float kf[4][kAttnMaxD];
    const typename V::Tail tail = V::tail(d % L);
    int64_t j = 0;
    for (; j + 4 <= n; j += 4) {
        for (int r = 0; r < 4; ++r) {
            if (j + kAttnPrefetchRows + r < n)
                prefetch_row<V>(k + (j + kAttnPrefetchRows + r) * stride, d);
            const uint16_t* kr = k + (j + r) * stride;
            int64_t c = 0;
            for (; c + L <= d; c += L) V::store_aligned(kf[r] + c, V::load_f16(kr + c));
            if constexpr (kTail) V::store_aligned(kf[r] + c, tail.load_f16(kr + c));
        }
        int64_t i = 0;
        for (; i + 2 <= g; i += 2)
            scores_4keys<V, 2, kTail>(d, tail, kf, q + i * ldq, ldq, scale, scores + i * lds + j,
                                      lds);
        if (i < g)
            scores_4keys<V, 1, kTail>(d, tail, kf, q + i * ldq, ldq, scale, scores + i * lds + j,
                                      lds);
    }
    return j;
}

template <class V>
void attn_scores_f16(int64_t d, const uint16_t* k, int64_t stride, int64_t n, const float* q,
                     int64_t ldq, int64_t g, float scale, float* scores, int64_t lds) {
    constexpr int64_t L = V::kLanes;
    if constexpr (4 * 4 <= V::kRegisters / 2)
        if (d == 4 * L)
            return attn_scores_regs<V, 4, 4>(k, stride, n, q, ldq, g, scale, scores, lds);
    if constexpr (2 * 8 <= V::kRegisters / 2)
        if (d == 8 * L)
            return attn_scores_regs<V, 8, 2>(k, stride, n, q, ldq, g, scale, scores, lds);
    int64_t j = 0;
    if (d <= kAttnMaxD)
        j = d % L ? attn_scores_staged<V, true>(d, k, stride, n, q, ldq, g, scale, scores, lds)
                  : attn_scores_staged<V, false>(d, k, stride, n, q, ldq, g, scale, scores, lds);
    attn_scores_each<V>(d, k, stride, j, n, q, ldq, g, scale, scores, lds);
}

// R query rows' outputs in registers, NV vectors of each at a time (the last one through `last`,
// a tail or whole), while the value rows stream past converted once for all of them. Blocks of
// kValueBlock rows take every column strip in turn, so the rows come from memory while all of
// the block's work runs: with one strip over all rows at a time, the first strip waited on
// memory for the whole of each row and the others computed from L2 (from memory, the value pass
// took 2.5x the score pass).
constexpr int64_t kValueBlock = 64;

template <class V, int R, int NV, class Last>
__attribute__((always_inline)) inline void values_strip(int64_t d, int64_t c, const float* w,
                                                        int64_t ldw, const uint16_t* v,
                                                        int64_t stride, int64_t j0, int64_t j1,
                                                        int64_t n, float* acc, int64_t lda,
                                                        Last last) {
    using F = typename V::F;
    constexpr int64_t L = V::kLanes;
    const FullLanes<V> full;
    F a[R][NV];
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
        if constexpr (NV == 2) a[r][0] = full.load(acc + r * lda + c);
        a[r][NV - 1] = last.load(acc + r * lda + c + L * (NV - 1));
    }
    for (int64_t j = j0; j < j1; ++j) {
        if (c == 0 && j + kAttnPrefetchRows < n)
            prefetch_row<V>(v + (j + kAttnPrefetchRows) * stride, d);
        const uint16_t* row = v + j * stride + c;
        F x[NV];
        if constexpr (NV == 2) x[0] = full.load_f16(row);
        x[NV - 1] = last.load_f16(row + L * (NV - 1));
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) {
            const F wr = V::set1(w[r * ldw + j]);
#pragma GCC unroll 2
            for (int u = 0; u < NV; ++u) a[r][u] = V::fma(wr, x[u], a[r][u]);
        }
    }
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
        if constexpr (NV == 2) full.store(acc + r * lda + c, a[r][0]);
        last.store(acc + r * lda + c + L * (NV - 1), a[r][NV - 1]);
    }
}

template <class V, int R>
void attn_values_rows(int64_t d, const float* w, int64_t ldw, const uint16_t* v, int64_t stride,
                      int64_t n, float* acc, int64_t lda) {
    constexpr int64_t L = V::kLanes;
    const FullLanes<V> full;
    for (int64_t j0 = 0; j0 < n; j0 += kValueBlock) {
        const int64_t j1 = std::min(n, j0 + kValueBlock);
        int64_t c = 0;
        for (; c + 2 * L <= d; c += 2 * L)
            values_strip<V, R, 2>(d, c, w, ldw, v, stride, j0, j1, n, acc, lda, full);
        if (d - c > L)
            values_strip<V, R, 2>(d, c, w, ldw, v, stride, j0, j1, n, acc, lda, V::tail(d - c - L));
        else if (d - c == L)
            values_strip<V, R, 1>(d, c, w, ldw, v, stride, j0, j1, n, acc, lda, full);
        else if (d > c)
            values_strip<V, R, 1>(d, c, w, ldw, v, stride, j0, j1, n, acc, lda, V::tail(d - c));
    }
}

// Rows per value pass: two accumulators each, beside two value vectors and a broadcast weight;
// at most 8 (the measured best on AVX-512, where a group of 8 query rows is one pass).
template <class V>
constexpr int kValueRowsMax = std::min(8, (V::kRegisters - 3) / 2);

template <class V, int R>
void attn_values_pass(int rows, int64_t d, const float* w, int64_t ldw, const uint16_t* v,
                      int64_t stride, int64_t n, float* acc, int64_t lda) {
    if constexpr (R > 0) {
        if (rows == R) return attn_values_rows<V, R>(d, w, ldw, v, stride, n, acc, lda);
        attn_values_pass<V, R - 1>(rows, d, w, ldw, v, stride, n, acc, lda);
    }
}

// The g rows in passes of equal size (a group of 8 on 6-row passes runs as 4 + 4: a pass of two
// rows has too few independent sums to cover the FMA latency).
template <class V>
void attn_values_f16(int64_t d, const float* w, int64_t ldw, const uint16_t* v, int64_t stride,
                     int64_t n, int64_t g, float* acc, int64_t lda) {
    constexpr int64_t kMax = kValueRowsMax<V>;
    const int64_t passes = (g + kMax - 1) / kMax;
    for (int64_t i = 0, p = 0; p < passes; ++p) {
        const int64_t rows = (g - i) / (passes - p) + ((g - i) % (passes - p) ? 1 : 0);
        attn_values_pass<V, kMax>((int)rows, d, w + i * ldw, ldw, v, stride, n, acc + i * lda, lda);
        i += rows;
    }
}

template <class V>
void install_attention(CpuKernels& k) {
    k.attn_scores_f16 = attn_scores_f16<V>;
    k.attn_values_f16 = attn_values_f16<V>;
}

}  // namespace lamina::simd
