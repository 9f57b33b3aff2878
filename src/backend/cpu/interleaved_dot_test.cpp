// Every kernel set's eight-row dots on interleaved matrices (backend/cpu/interleave.h) against the
// type table's one-row reference on the same rows in GGUF's layout: random raw blocks (every scale
// and level pattern) and blocks filled with the extreme levels, against activations of either
// sign at full scale, where a saturating narrow sum would show. Kernels that take two groups at
// once are held to the same reference for each group.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "backend/cpu/interleave.h"
#include "backend/cpu/kernels.h"
#include "backend/cpu/simd_isas_for_test.h"
#include "quant/quant_test_support.h"

namespace lamina {
namespace {

TEST(CpuInterleavedDot, EveryKernelSetMatchesPlainReference) {
    std::vector<Isa> isas = simd_isas_for_test();
    isas.insert(isas.begin(), Isa::Scalar);
    int checked = 0;
    for (Isa isa : isas)
        for (DType t : {DType::Q4_0, DType::Q8_0, DType::Q4_K}) {
            const CpuKernels::InterleavedDot& kern = cpu_kernels(isa).types[(size_t)t].interleaved;
            ASSERT_TRUE(kern.prepare && kern.dot8) << isa_name(isa) << " " << type_name(t);
            const TypeTraits& tt = type_traits(t);
            const TypeTraits& vt = type_traits(tt.vec_dot_type);
            for (int64_t n : {256, 768, 5632}) {
                // fill: -1 random raw bytes, else every level byte (and K-quant scale byte) set.
                for (int fill : {-1, 0xff, 0x00}) {
                    for (float sign : {1.f, -1.f}) {
                        SCOPED_TRACE(std::string(isa_name(isa)) + " " + type_name(t) +
                                     " n=" + std::to_string(n) + " fill=" + std::to_string(fill) +
                                     " sign=" + std::to_string(sign));
                        std::mt19937 rng((uint32_t)(n + fill));
                        const size_t row = row_size(t, n);
                        std::vector<uint8_t> plain;
                        for (int64_t r = 0; r < quant::kInterleave; ++r) {
                            const std::vector<uint8_t> w =
                                quant_test::random_raw_row(t, n, rng, 0.0005f, 0.02f, fill);
                            plain.insert(plain.end(), w.begin(), w.end());
                        }
                        std::vector<uint8_t> group = plain;
                        quant::interleave_rows(t, group.data(), quant::kInterleave, row);
                        // Activations at one magnitude quantize to the extreme int8 level.
                        std::uniform_real_distribution<float> val(-1.f, 1.f);
                        std::vector<float> x((size_t)n);
                        for (float& v : x) v = fill < 0 ? val(rng) : sign;
                        std::vector<uint8_t> xq(row_size(tt.vec_dot_type, n));
                        vt.from_float(x.data(), xq.data(), n);
                        std::vector<uint8_t> prepared((size_t)n *
                                                      CpuKernels::kPreparedBytesPerValue);
                        kern.prepare(x.data(), prepared.data(), n);
                        float out[quant::kInterleave + 1];
                        out[quant::kInterleave] = 1234.5f;
                        kern.dot8(n, group.data(), prepared.data(), out);
                        for (int64_t r = 0; r < quant::kInterleave; ++r) {
                            const float want = tt.vec_dot(n, plain.data() + r * row, xq.data());
                            EXPECT_NEAR(out[r], want, 1e-5 * (1 + std::fabs(want)) * std::sqrt(n))
                                << "row " << r;
                        }
                        EXPECT_EQ(out[quant::kInterleave], 1234.5f) << "wrote past row 8";
                        ++checked;
                        if (!kern.dot8x2) continue;
                        // Two groups at once: the second holds the same rows in reverse order,
                        // so each output must come from its own group.
                        std::vector<uint8_t> reversed;
                        for (int64_t r = quant::kInterleave - 1; r >= 0; --r)
                            reversed.insert(reversed.end(), plain.begin() + r * row,
                                            plain.begin() + (r + 1) * row);
                        quant::interleave_rows(t, reversed.data(), quant::kInterleave, row);
                        float out_a[quant::kInterleave], out_b[quant::kInterleave];
                        kern.dot8x2(n, group.data(), reversed.data(), prepared.data(), out_a,
                                    out_b);
                        for (int64_t r = 0; r < quant::kInterleave; ++r) {
                            const float want = tt.vec_dot(n, plain.data() + r * row, xq.data());
                            const double tol = 1e-5 * (1 + std::fabs(want)) * std::sqrt(n);
                            EXPECT_NEAR(out_a[r], want, tol) << "pair, first group, row " << r;
                            EXPECT_NEAR(out_b[quant::kInterleave - 1 - r], want, tol)
                                << "pair, second group, row " << r;
                        }
                    }
                }
            }
        }
    EXPECT_GT(checked, 0);
}

}  // namespace
}  // namespace lamina
