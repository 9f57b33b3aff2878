// Every entry of each ISA's CpuKernels table against the scalar reference (the type table and
// the double-precision definitions here) on awkward lengths: 0, 1, around the vector widths,
// and long rows.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "backend/cpu/kernels.h"
#include "backend/cpu/simd_isas_for_test.h"
#include "core/fp16.h"

namespace lamina {
namespace {

std::vector<Isa> simd_isas() {
    return simd_isas_for_test();
}

const int64_t kLengths[] = {0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 64, 100, 257, 1000, 4099};

std::vector<float> randoms(int64_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> d(0.0f, 1.0f);
    std::vector<float> v((size_t)n + 1);  // never empty, so .data() is valid for n = 0
    for (float& x : v) x = d(rng);
    return v;
}

std::vector<uint16_t> to_f16(const std::vector<float>& v) {
    std::vector<uint16_t> h(v.size());
    for (size_t i = 0; i < v.size(); ++i) h[i] = fp32_to_fp16(v[i]);
    return h;
}

double tol(int64_t n) {
    return 1e-5 * std::sqrt((double)n + 1) * 4;
}

TEST(CpuKernels, DotAndAxpyMatchScalar) {
    if (simd_isas().empty()) GTEST_SKIP() << "this CPU has no SIMD kernel set to compare";
    for (Isa isa : simd_isas()) {
        const CpuKernels& k = cpu_kernels(isa);
        for (int64_t n : kLengths) {
            SCOPED_TRACE(std::string(isa_name(isa)) + " n=" + std::to_string(n));
            const std::vector<float> x = randoms(n, 1 + (uint32_t)n), y = randoms(n, 2);
            const std::vector<uint16_t> h = to_f16(x);
            double d32 = 0, d16 = 0;
            for (int64_t i = 0; i < n; ++i) {
                d32 += (double)x[i] * y[i];
                d16 += (double)fp16_to_fp32(h[i]) * y[i];
            }
            EXPECT_NEAR(k.dot_f32(n, x.data(), y.data()), d32, tol(n) * (1 + std::fabs(d32)));
            EXPECT_NEAR(k.dot_f16_f32(n, h.data(), y.data()), d16, tol(n) * (1 + std::fabs(d16)));

            // axpy must touch exactly [0, n): the sentinel past the end stays put.
            std::vector<float> acc32 = y, acc16 = y;
            k.axpy_f32(n, 0.37f, x.data(), acc32.data());
            k.axpy_f16(n, -1.5f, h.data(), acc16.data());
            for (int64_t i = 0; i < n; ++i) {
                ASSERT_NEAR(acc32[i], y[i] + 0.37 * x[i], 1e-5) << i;
                ASSERT_NEAR(acc16[i], y[i] - 1.5 * fp16_to_fp32(h[i]), 1e-5) << i;
            }
            EXPECT_EQ(acc32[n], y[n]);
            EXPECT_EQ(acc16[n], y[n]);
        }
    }
}

// Attention's grouped kernels: head sizes around the 4/8/16/32-float blocks, 1 to 9 query rows
// (a group of 8 fills the register block, 9 spills into a second), keys strided apart as in the
// KV cache (the gap must never be read into the result), 1 to a few hundred keys.
TEST(CpuKernels, AttentionRowsMatchScalar) {
    if (simd_isas().empty()) GTEST_SKIP() << "this CPU has no SIMD kernel set to compare";
    for (Isa isa : simd_isas()) {
        const CpuKernels& k = cpu_kernels(isa);
        for (int64_t d : {1, 7, 8, 33, 64, 80, 128, 200, 300}) {
            for (int64_t n : {1, 5, 300}) {
                for (int64_t g : {1, 3, 8, 9}) {
                    SCOPED_TRACE(std::string(isa_name(isa)) + " d=" + std::to_string(d) +
                                 " n=" + std::to_string(n) + " g=" + std::to_string(g));
                    const int64_t stride = d * 3 + 5, ldq = d + 3, lds = n + 2, lda = d + 1;
                    const std::vector<uint16_t> kv = to_f16(randoms(stride * n, 7 + (uint32_t)d));
                    const std::vector<float> q = randoms(ldq * g, 8), w = randoms(lds * g, 9);
                    std::vector<float> scores((size_t)(lds * g), -7.0f);
                    k.attn_scores_f16(d, kv.data(), stride, n, q.data(), ldq, g, 0.125f,
                                      scores.data(), lds);
                    for (int64_t i = 0; i < g; ++i) {
                        for (int64_t j = 0; j < n; ++j) {
                            double want = 0;
                            for (int64_t c = 0; c < d; ++c)
                                want += (double)fp16_to_fp32(kv[j * stride + c]) * q[i * ldq + c];
                            want *= 0.125;
                            ASSERT_NEAR(scores[i * lds + j], want, tol(d) * (1 + std::fabs(want)))
                                << i << " " << j;
                        }
                        EXPECT_EQ(scores[i * lds + n], -7.0f);
                    }
                    std::vector<float> acc = randoms(lda * g, 10), start = acc;
                    k.attn_values_f16(d, w.data(), lds, kv.data(), stride, n, g, acc.data(), lda);
                    for (int64_t i = 0; i < g; ++i) {
                        for (int64_t c = 0; c < d; ++c) {
                            double want = start[i * lda + c];
                            for (int64_t j = 0; j < n; ++j)
                                want += (double)w[i * lds + j] * fp16_to_fp32(kv[j * stride + c]);
                            ASSERT_NEAR(acc[i * lda + c], want, tol(n) * (1 + std::fabs(want)))
                                << i << " " << c;
                        }
                        EXPECT_EQ(acc[i * lda + d], start[i * lda + d]);
                    }
                }
            }
        }
    }
}

// The attention panel product against a double-precision sum: 1 to 13 rows (the 6-row tiles and
// every remainder), strided rows of a and b and c, inner lengths from 1 to a few hundred; the
// columns past the 16 of the panel must stay untouched.
TEST(CpuKernels, MatmulPanel16MatchesDouble) {
    if (simd_isas().empty()) GTEST_SKIP() << "this CPU has no SIMD kernel set to compare";
    constexpr int64_t P = CpuKernels::kPanel16;
    for (Isa isa : simd_isas()) {
        const CpuKernels& k = cpu_kernels(isa);
        for (int64_t m = 1; m <= 13; ++m)
            for (int64_t kk : {1, 7, 64, 301}) {
                SCOPED_TRACE(std::string(isa_name(isa)) + " m=" + std::to_string(m) +
                             " kk=" + std::to_string(kk));
                const int64_t lda = kk + 3, ldb = P + 5, ldc = P + 2;
                const std::vector<float> a = randoms(lda * m, 21), b = randoms(ldb * kk, 22);
                std::vector<float> c((size_t)(ldc * m), -7.0f);
                k.matmul_panel16(m, kk, a.data(), lda, b.data(), ldb, c.data(), ldc);
                for (int64_t i = 0; i < m; ++i) {
                    for (int64_t j = 0; j < P; ++j) {
                        double want = 0;
                        for (int64_t t = 0; t < kk; ++t)
                            want += (double)a[i * lda + t] * b[t * ldb + j];
                        ASSERT_NEAR(c[i * ldc + j], want, tol(kk) * (1 + std::fabs(want)))
                            << i << " " << j;
                    }
                    EXPECT_EQ(c[i * ldc + P], -7.0f);
                    EXPECT_EQ(c[i * ldc + P + 1], -7.0f);
                }
            }
    }
}

// The two-panel form against the same double sums, with its panels apart in memory (two key
// blocks) and side by side (32 value columns), and the odd row counts of its tail tiles.
TEST(CpuKernels, MatmulPanel16x2MatchesDouble) {
    constexpr int64_t P = CpuKernels::kPanel16;
    std::vector<Isa> isas = simd_isas();
    isas.insert(isas.begin(), Isa::Scalar);
    for (Isa isa : isas) {
        const CpuKernels& k = cpu_kernels(isa);
        ASSERT_TRUE(k.matmul_panel16x2) << isa_name(isa);
        for (int64_t m = 1; m <= 17; m += 2)
            for (int64_t kk : {1, 64, 301})
                for (int64_t gap : {P, 3 * P + 7}) {
                    SCOPED_TRACE(std::string(isa_name(isa)) + " m=" + std::to_string(m) +
                                 " kk=" + std::to_string(kk) + " gap=" + std::to_string(gap));
                    const int64_t lda = kk + 3, ldb = gap + P + 5, ldc = 2 * P + 2;
                    const std::vector<float> a = randoms(lda * m, 23), b = randoms(ldb * kk, 24);
                    std::vector<float> c((size_t)(ldc * m), -7.0f);
                    k.matmul_panel16x2(m, kk, a.data(), lda, b.data(), b.data() + gap, ldb,
                                       c.data(), ldc);
                    for (int64_t i = 0; i < m; ++i) {
                        for (int64_t j = 0; j < 2 * P; ++j) {
                            const int64_t col = j < P ? j : gap + j - P;
                            double want = 0;
                            for (int64_t t = 0; t < kk; ++t)
                                want += (double)a[i * lda + t] * b[t * ldb + col];
                            ASSERT_NEAR(c[i * ldc + j], want, tol(kk) * (1 + std::fabs(want)))
                                << i << " " << j;
                        }
                        EXPECT_EQ(c[i * ldc + 2 * P], -7.0f);
                        EXPECT_EQ(c[i * ldc + 2 * P + 1], -7.0f);
                    }
                }
    }
}

// The vector maximum finds the largest value wherever it lies: first, last (in the scalar tail),
// and in the middle of every length, among negative values.
TEST(CpuKernels, MaxFindsLargestAnywhere) {
    if (simd_isas().empty()) GTEST_SKIP() << "this CPU has no SIMD kernel set to compare";
    for (Isa isa : simd_isas()) {
        const CpuKernels& k = cpu_kernels(isa);
        for (int64_t n : kLengths)
            for (int64_t at : {int64_t{0}, n / 2, n - 1}) {
                if (n == 0) continue;  // the maximum of nothing is not asked for
                SCOPED_TRACE(std::string(isa_name(isa)) + " n=" + std::to_string(n) +
                             " at=" + std::to_string(at));
                std::vector<float> x = randoms(n + 1, 31 + (uint32_t)n);
                for (float& v : x) v = -2.0f - std::fabs(v);
                x[(size_t)at] = -0.5f;
                x[(size_t)n] = 100.0f;  // past the end: must not be read
                EXPECT_EQ(k.max_f32(n, x.data()), -0.5f);
            }
    }
}

// The vector exp against std::exp over the softmax range (x - max from -100 to 0, with the
// exact 0 of the maximum itself), and the returned sum. Below -87 the kernel returns about 1e-38
// instead of a denormal.
TEST(CpuKernels, ExpSumMatchesStdExp) {
    if (simd_isas().empty()) GTEST_SKIP() << "this CPU has no SIMD kernel set to compare";
    for (Isa isa : simd_isas()) {
        const CpuKernels& k = cpu_kernels(isa);
        for (int64_t n : kLengths) {
            SCOPED_TRACE(std::string(isa_name(isa)) + " n=" + std::to_string(n));
            std::vector<float> x = randoms(n, 11 + (uint32_t)n);
            for (int64_t i = 0; i < n; ++i)
                x[i] = 3.0f + (i == n / 2 ? 0.0f : -std::fabs(x[i]) * 30);
            const float sentinel = x[n];
            std::vector<float> e = x;
            const float sum = k.exp_sum(n, e.data(), 3.0f);
            double want_sum = 0;
            for (int64_t i = 0; i < n; ++i) {
                const double want = std::exp((double)x[i] - 3.0);
                want_sum += want;
                ASSERT_NEAR(e[i], want, 2e-7 * want + 2e-38) << i << " x=" << x[i];
            }
            EXPECT_EQ(e[n], sentinel);
            EXPECT_NEAR(sum, want_sum, 1e-6 * want_sum * std::sqrt((double)n + 1));
        }
    }
}

// SwiGLU's gate against the double-precision definition, over gates from -100 to 100 (the
// kernel's exp clamps, so the extremes must still come out as 0 and g * u), in place too.
TEST(CpuKernels, SwigluMatchesDefinition) {
    if (simd_isas().empty()) GTEST_SKIP() << "this CPU has no SIMD kernel set to compare";
    for (Isa isa : simd_isas()) {
        const CpuKernels& k = cpu_kernels(isa);
        for (int64_t n : kLengths) {
            SCOPED_TRACE(std::string(isa_name(isa)) + " n=" + std::to_string(n));
            std::vector<float> g = randoms(n, 21 + (uint32_t)n), u = randoms(n, 22 + (uint32_t)n);
            for (int64_t i = 0; i < n; ++i) g[i] *= (i % 5 == 0) ? 30.0f : 3.0f;
            if (n > 2) g[0] = 100.0f, g[1] = -100.0f;
            std::vector<float> out(n + 1, 7.0f), in_place = g;
            k.swiglu(n, g.data(), u.data(), out.data());
            k.swiglu(n, in_place.data(), u.data(), in_place.data());
            for (int64_t i = 0; i < n; ++i) {
                const double want = (double)g[i] / (1.0 + std::exp(-(double)g[i])) * u[i];
                ASSERT_NEAR(out[i], want, 1e-6 * std::fabs(want) + 1e-30)
                    << i << " g=" << g[i] << " u=" << u[i];
                ASSERT_EQ(in_place[i], out[i]) << i;
            }
            EXPECT_EQ(out[n], 7.0f) << "wrote past the end";
        }
    }
}

// The ISA tables must actually take the integer kernels: every quantized type with a reference
// dot gets a SIMD one, and on AVX-512 VNNI Q4_0 and Q4_K also their prepared-activation dots.
TEST(CpuKernels, QuantizedDotsAreInstalled) {
    if (simd_isas().empty()) GTEST_SKIP() << "this CPU has no SIMD kernel set to compare";
    for (Isa isa : simd_isas()) {
        const CpuKernels& k = cpu_kernels(isa);
        for (DType t :
             {DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q8_0, DType::Q2_K,
              DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K, DType::IQ4_NL, DType::IQ4_XS})
            EXPECT_NE(k.types[(size_t)t].vec_dot, type_traits(t).vec_dot)
                << isa_name(isa) << " " << type_name(t) << " kept the scalar reference";
        if (isa == Isa::Avx512) {
            EXPECT_NE(k.types[(size_t)DType::Q4_0].prepared.dot, nullptr);
            EXPECT_NE(k.types[(size_t)DType::Q4_K].prepared.dot, nullptr);
        }
    }
}

TEST(CpuKernels, VecDotMatchesTypeTable) {
    if (simd_isas().empty()) GTEST_SKIP() << "this CPU has no SIMD kernel set to compare";
    for (Isa isa : simd_isas()) {
        const CpuKernels& k = cpu_kernels(isa);
        for (DType t : {DType::F32, DType::F16, DType::BF16}) {
            const TypeTraits& tt = type_traits(t);
            ASSERT_NE(k.types[(size_t)t].vec_dot, nullptr);
            for (int64_t n : kLengths) {
                SCOPED_TRACE(std::string(isa_name(isa)) + " " + tt.name +
                             " n=" + std::to_string(n));
                const std::vector<float> x = randoms(n, 3 + (uint32_t)n), y = randoms(n, 4);
                std::vector<uint8_t> packed(row_size(t, n + 1));
                tt.from_float(x.data(), packed.data(), n + 1);
                const float want = tt.vec_dot(n, packed.data(), y.data());
                EXPECT_NEAR(k.types[(size_t)t].vec_dot(n, packed.data(), y.data()), want,
                            tol(n) * (1 + std::fabs(want)));
            }
        }
    }
}

}  // namespace
}  // namespace lamina
