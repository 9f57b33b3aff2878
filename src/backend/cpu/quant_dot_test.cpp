// The integer Q8_0 / Q4_0 dot kernels against the GGUF block definitions evaluated here in
// double precision, on hand-built blocks covering the extreme quants.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "backend/cpu/cpu_features.h"
#include "backend/cpu/quant_dot.h"
#include "core/fp16.h"

namespace lamina {
namespace {

struct Case {
    std::vector<BlockQ8_0> y;
    std::vector<BlockQ8_0> x8;
    std::vector<BlockQ4_0> x4;
};

Case make_case(int64_t blocks, uint32_t seed) {
    std::mt19937 rng(seed);
    Case c;
    c.y.resize((size_t)blocks);
    c.x8.resize((size_t)blocks);
    c.x4.resize((size_t)blocks);
    std::uniform_int_distribution<int> q8(-127, 127), byte(0, 255);
    std::uniform_real_distribution<float> sc(0.001f, 0.1f);
    for (int64_t b = 0; b < blocks; ++b) {
        c.y[b].d = fp32_to_fp16(sc(rng));
        c.x8[b].d = fp32_to_fp16(-sc(rng));
        c.x4[b].d = fp32_to_fp16(sc(rng));
        for (int i = 0; i < 32; ++i) {
            // The first block holds the extremes: saturating sums would show up there.
            c.y[b].qs[i] = (int8_t)(b == 0 ? (i % 2 ? 127 : -127) : q8(rng));
            c.x8[b].qs[i] = (int8_t)(b == 0 ? (i % 3 ? 127 : -127) : q8(rng));
        }
        for (int i = 0; i < 16; ++i)
            c.x4[b].qs[i] = (uint8_t)(b == 0 ? (i % 2 ? 0x0f : 0xf0) : byte(rng));
    }
    return c;
}

double want_q8(const Case& c) {
    double s = 0;
    for (size_t b = 0; b < c.y.size(); ++b) {
        double block = 0;
        for (int i = 0; i < 32; ++i) block += (double)c.x8[b].qs[i] * c.y[b].qs[i];
        s += block * fp16_to_fp32(c.x8[b].d) * fp16_to_fp32(c.y[b].d);
    }
    return s;
}

double want_q4(const Case& c) {
    double s = 0;
    for (size_t b = 0; b < c.y.size(); ++b) {
        double block = 0;
        for (int j = 0; j < 16; ++j) {
            block += (double)((c.x4[b].qs[j] & 0x0f) - 8) * c.y[b].qs[j];
            block += (double)((c.x4[b].qs[j] >> 4) - 8) * c.y[b].qs[j + 16];
        }
        s += block * fp16_to_fp32(c.x4[b].d) * fp16_to_fp32(c.y[b].d);
    }
    return s;
}

void check(const QuantDots& q, const char* isa) {
    for (int64_t blocks : {1, 2, 3, 7, 64, 177}) {
        SCOPED_TRACE(std::string(isa) + " blocks=" + std::to_string(blocks));
        const Case c = make_case(blocks, (uint32_t)blocks);
        const double w8 = want_q8(c), w4 = want_q4(c);
        // Each block's integer sum is exact; only the float scaling and accumulation round.
        EXPECT_NEAR(q.q8_0(blocks * 32, c.x8.data(), c.y.data()), w8,
                    1e-5 * (1 + std::fabs(w8)) * std::sqrt(blocks));
        EXPECT_NEAR(q.q4_0(blocks * 32, c.x4.data(), c.y.data()), w4,
                    1e-5 * (1 + std::fabs(w4)) * std::sqrt(blocks));
    }
}

TEST(CpuQuantDot, Avx2MatchesBlockDefinition) {
    if (!CpuFeatures::detect().avx2) GTEST_SKIP() << "no AVX2 on this CPU";
    check(quant_dots_avx2(), "avx2");
}

TEST(CpuQuantDot, Avx512MatchesBlockDefinition) {
    const CpuFeatures f = CpuFeatures::detect();
    if (!f.avx512 || !f.avx512_vnni) GTEST_SKIP() << "no AVX-512 VNNI on this CPU";
    check(quant_dots_avx512(), "avx512");
}

}  // namespace
}  // namespace lamina
