// The integer GEMM against the type table's scalar dot (weight row x activation row quantized
// by the reference from_float) for every format it covers, on random raw blocks and awkward
// shapes: one row or column, tails of the 6-row panels and 32-row tiles, several chunks.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "backend/cpu/cpu_features.h"
#include "backend/cpu/kernels.h"
#include "backend/cpu/qgemm.h"
#include "backend/cpu/simd_isas_for_test.h"
#include "core/aligned_buffer.h"
#include "quant/quant_test_support.h"

namespace lamina {
namespace {

// fill >= 0: every weight byte but the scales is fill and every activation row is +-1 (all its
// quants +-127), the largest int8 sums the kernels can see.
void check_format(const CpuKernels& k, DType t, int64_t M, int64_t N, int64_t K, uint32_t seed,
                  int fill = -1) {
    const TypeTraits& tt = type_traits(t);
    const QGemmFormat& f = *qgemm_format(t);
    const TypeTraits& act = type_traits(f.activations);
    SCOPED_TRACE(std::string(tt.name) + " M=" + std::to_string(M) + " N=" + std::to_string(N) +
                 " K=" + std::to_string(K));
    std::mt19937 rng(seed);
    std::vector<uint8_t> w;
    for (int64_t n = 0; n < N; ++n) {
        const std::vector<uint8_t> row =
            quant_test::random_raw_row(t, K, rng, 0.0005f, 0.02f, fill);
        w.insert(w.end(), row.begin(), row.end());
    }
    std::normal_distribution<float> val(0.f, 1.f);
    std::vector<float> x((size_t)(M * K));
    for (size_t i = 0; i < x.size(); ++i) x[i] = i < 64 ? (i % 2 ? 4.f : -4.f) : val(rng);
    if (fill >= 0)
        for (size_t i = 0; i < x.size(); ++i) x[i] = (i / (size_t)K) % 2 ? -1.f : 1.f;

    // Reference: one scalar dot per (weight row, activation row), and the sum of the terms'
    // magnitudes for the tolerance (integer parts are exact, float rounding order differs).
    std::vector<uint8_t> xq(row_size(f.activations, K) * (size_t)M);
    std::vector<float> wd((size_t)K), xd((size_t)K);
    const size_t ldw = row_size(t, K), ldq = row_size(f.activations, K);
    for (int64_t m = 0; m < M; ++m) act.from_float(x.data() + m * K, xq.data() + m * ldq, K);

    // Packed in two thread-sized halves, as mul_mat splits the work.
    auto xp = aligned_bytes(qgemm_packed_x_bytes(f, M, K), 64);
    std::vector<uint8_t> tmp(ldq);
    const int64_t panels = (M + kQGemmMr - 1) / kQGemmMr;
    qgemm_pack_x(f, act.from_float, x.data(), K, M, K, 0, panels / 2, xp.get(), tmp.data());
    qgemm_pack_x(f, act.from_float, x.data(), K, M, K, panels / 2, panels, xp.get(), tmp.data());
    auto scratch =
        aligned_bytes((size_t)(qgemm_tiles_per_chunk(f, K) * qgemm_tile_bytes(f, K)), 64);

    const int64_t ldo = N + 3;  // columns past N must stay untouched, as must row M
    std::vector<float> out((size_t)((M + 1) * ldo), -12345.f);
    QGemmArgs a;
    a.f = &f;
    a.w = w.data();
    a.ldw = ldw;
    a.N = N;
    a.xp = xp.get();
    a.M = M;
    a.K = K;
    a.out = out.data();
    a.ldo = ldo;
    const int64_t split = (N / 2) / kQGemmNr * kQGemmNr;
    k.qgemm(a, 0, split, scratch.get());
    k.qgemm(a, split, N, scratch.get());

    for (int64_t n = 0; n < N; ++n) {
        tt.to_float(w.data() + n * ldw, wd.data(), K);
        for (int64_t m = 0; m < M; ++m) {
            act.to_float(xq.data() + m * ldq, xd.data(), K);
            double mag = 0;
            for (int64_t i = 0; i < K; ++i) mag += std::fabs((double)wd[i] * xd[i]);
            const float want = tt.vec_dot(K, w.data() + n * ldw, xq.data() + m * ldq);
            ASSERT_NEAR(out[m * ldo + n], want, 2e-6 * mag + 1e-6) << "m=" << m << " n=" << n;
        }
    }
    for (int64_t m = 0; m <= M; ++m)
        for (int64_t n = m < M ? N : 0; n < ldo; ++n)
            ASSERT_EQ(out[m * ldo + n], -12345.f) << "write outside the output at m=" << m;
}

TEST(CpuQGemm, MatchesScalarDotForEveryFormat) {
    const std::vector<Isa> isas = simd_isas_for_test();
    if (isas.empty()) GTEST_SKIP() << "no SIMD instruction set on this CPU";
    for (Isa isa : isas) {
        SCOPED_TRACE(isa == Isa::Avx512 ? "AVX-512" : "AVX2");
        const CpuKernels& k = cpu_kernels(isa);
        ASSERT_NE(k.qgemm, nullptr);
        int covered = 0;
        for (DType t : quant_test::weight_types()) {
            if (!qgemm_format(t)) continue;
            ++covered;
            const int64_t bs = type_traits(t).block_size;
            check_format(k, t, 1, 1, bs, 1);
            check_format(k, t, 5, 33, 2 * bs, 2);
            check_format(k, t, 13, 70, 3 * bs, 3);
            check_format(k, t, 6, 32, bs, 4);
            check_format(k, t, 7, 17, bs, 6);  // one row past the AVX2 kernel's half tile
            // More tiles than one chunk holds, so the chunk loop runs more than once.
            const int64_t K = bs == 32 ? 5632 : 2048;
            check_format(k, t, 7, 4 * kQGemmNr * qgemm_tiles_per_chunk(*qgemm_format(t), K) + 5, K,
                         5);
        }
        // Every weight type of the type table.
        EXPECT_EQ(covered, 12);
    }
}

// Activations at the quantizer's extremes (every byte +-127) against weights at the largest
// level: the int16 sums of the AVX2 kernel must not saturate.
TEST(CpuQGemm, ExtremeLevelsDoNotSaturate) {
    const std::vector<Isa> isas = simd_isas_for_test();
    if (isas.empty()) GTEST_SKIP() << "no SIMD instruction set on this CPU";
    for (Isa isa : isas) {
        const CpuKernels& k = cpu_kernels(isa);
        for (DType t : quant_test::weight_types()) {
            const QGemmFormat* f = qgemm_format(t);
            if (!f) continue;
            SCOPED_TRACE(type_traits(t).name);
            // 0xFF is the top level of every unsigned format; Q8_0's extremes are -128 and 127,
            // IQ4's level 0 is -127.
            for (int fill : {0x00, 0x7F, 0x80, 0xFF})
                check_format(k, t, 6, 32, 2 * type_traits(t).block_size, 8, fill);
        }
    }
}

// The unpacked bytes and scales reproduce the type table's dequantization exactly.
TEST(CpuQGemm, UnpackMatchesDequantization) {
    for (DType t : quant_test::weight_types()) {
        const QGemmFormat* f = qgemm_format(t);
        if (!f) continue;
        const TypeTraits& tt = type_traits(t);
        SCOPED_TRACE(tt.name);
        std::mt19937 rng(7);
        const int64_t n = 4 * tt.block_size;
        const std::vector<uint8_t> row = quant_test::random_raw_row(t, n, rng);
        std::vector<float> want((size_t)n);
        tt.to_float(row.data(), want.data(), n);
        std::vector<uint8_t> q((size_t)tt.block_size);
        std::vector<float> dx((size_t)(tt.block_size / f->sub)), mx(dx.size());
        for (int64_t b = 0; b < n / tt.block_size; ++b) {
            f->unpack(row.data() + b * tt.type_size, q.data(), dx.data(), mx.data());
            for (int64_t i = 0; i < tt.block_size; ++i) {
                const int64_t j = i / f->sub;
                const float got = f->offset ? dx[j] * (float)((int)q[i] - f->offset)
                                            : dx[j] * (float)q[i] + mx[j];
                ASSERT_LE(q[i], f->max_q) << "value " << b * tt.block_size + i;
                ASSERT_NEAR(got, want[b * tt.block_size + i],
                            1e-6f * (1 + std::fabs(want[b * tt.block_size + i])))
                    << "value " << b * tt.block_size + i;
            }
        }
    }
}

}  // namespace
}  // namespace lamina
