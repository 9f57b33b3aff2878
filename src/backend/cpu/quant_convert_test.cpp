// The ISA kernels' quantized conversions against the type table's reference: bit-identical
// output on random rows, all-zero blocks, extreme scales and values that round at exact halves
// (for F16 also values past its range and below its normal range).
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "backend/cpu/kernels.h"
#include "backend/cpu/simd_isas_for_test.h"
#include "core/fp16.h"
#include "core/types.h"

namespace lamina {
namespace {

std::vector<Isa> simd_isas() {
    return simd_isas_for_test();
}

// Rows of 8 super-blocks: random normal, one all zero, one with a huge and one with a tiny
// scale, and one whose maximum is 127 so that x / d lands on .5 for half-integers.
std::vector<float> awkward_row(uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.f, 1.f);
    std::vector<float> x(256 * 8);
    for (float& v : x) v = dist(rng);
    std::fill(x.begin() + 256, x.begin() + 512, 0.f);
    for (int i = 512; i < 768; ++i) x[i] *= 3e4f;
    for (int i = 768; i < 1024; ++i) x[i] *= 1e-6f;
    for (int i = 1024; i < 1280; ++i) x[i] = (float)((i % 64) - 32) + (i % 2 ? 0.5f : 0.f);
    for (int i = 1024; i < 1280; i += 32) x[i] = 127.f;
    return x;
}

TEST(CpuQuantConvert, MatchesTypeTableBitForBit) {
    if (simd_isas().empty()) GTEST_SKIP() << "this CPU has no SIMD kernel set to compare";
    int checked = 0;
    for (Isa isa : simd_isas()) {
        const CpuKernels& k = cpu_kernels(isa);
        for (DType t :
             {DType::Q4_0, DType::Q8_0, DType::Q4_K, DType::Q6_K, DType::Q8_K, DType::F16}) {
            const TypeTraits& tt = type_traits(t);
            SCOPED_TRACE(std::string(isa_name(isa)) + " " + tt.name);
            for (uint32_t seed = 1; seed <= 3; ++seed) {
                const std::vector<float> x = awkward_row(seed);
                const int64_t n = (int64_t)x.size();
                std::vector<uint8_t> want(row_size(t, n)), got(row_size(t, n));
                tt.from_float(x.data(), want.data(), n);
                if (k.types[(size_t)t].from_float != tt.from_float) {
                    k.types[(size_t)t].from_float(x.data(), got.data(), n);
                    EXPECT_EQ(0, std::memcmp(want.data(), got.data(), want.size()));
                    ++checked;
                }
                if (k.types[(size_t)t].to_float != tt.to_float) {
                    std::vector<float> a((size_t)n), b((size_t)n);
                    tt.to_float(want.data(), a.data(), n);
                    k.types[(size_t)t].to_float(want.data(), b.data(), n);
                    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(a[i], b[i]) << "value " << i;
                    ++checked;
                }
            }
        }
    }
    // Every SIMD set overrides at least the activation quantizers.
    EXPECT_GE(checked, 6 * (int)simd_isas().size());
}

// F16 rows of every length around the vector widths take the vector conversion for whole
// vectors and the scalar one for the rest: bit for bit the type table's either way.
TEST(CpuQuantConvert, F16RowsOfAnyLengthMatchTypeTable) {
    if (simd_isas().empty()) GTEST_SKIP() << "this CPU has no SIMD kernel set to compare";
    const TypeTraits& tt = type_traits(DType::F16);
    const std::vector<float> x = awkward_row(4);
    for (Isa isa : simd_isas()) {
        const CpuKernels& k = cpu_kernels(isa);
        for (int64_t n : {1, 7, 8, 9, 15, 16, 17, 31, 33, 1283}) {
            SCOPED_TRACE(std::string(isa_name(isa)) + " n=" + std::to_string(n));
            std::vector<uint16_t> want((size_t)n + 1, 0x7bff), got((size_t)n + 1, 0x7bff);
            tt.from_float(x.data(), want.data(), n);
            k.types[(size_t)DType::F16].from_float(x.data(), got.data(), n);
            EXPECT_EQ(want, got);  // includes the untouched element past n
            std::vector<float> a((size_t)n + 1, -3.0f), b((size_t)n + 1, -3.0f);
            tt.to_float(want.data(), a.data(), n);
            k.types[(size_t)DType::F16].to_float(want.data(), b.data(), n);
            EXPECT_EQ(a, b);
        }
    }
}

}  // namespace
}  // namespace lamina
