// The integer Q8_0 / Q4_0 dot kernels against the GGUF block definitions evaluated here in
// double precision, on hand-built blocks covering the extreme quants; the Q4_K / Q6_K kernels
// against the type table's scalar reference on random raw blocks.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "backend/cpu/cpu_features.h"
#include "backend/cpu/quant_dot.h"
#include "core/fp16.h"
#include "core/types.h"
#include "quant/quant_test_support.h"

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
        EXPECT_NEAR(q[DType::Q8_0](blocks * 32, c.x8.data(), c.y.data()), w8,
                    1e-5 * (1 + std::fabs(w8)) * std::sqrt(blocks));
        EXPECT_NEAR(q[DType::Q4_0](blocks * 32, c.x4.data(), c.y.data()), w4,
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

// Random raw bytes for every weight field (any bit pattern is a valid block), fp16 scales kept
// finite; activations quantized by the reference Q8_K from_float so their block sums are
// consistent, with the first block at full scale.
void check_k(VecDotFn dot, DType t, const char* isa) {
    if (!dot) return;
    const TypeTraits& tt = type_traits(t);
    const TypeTraits& act = type_traits(tt.vec_dot_type);
    for (int64_t blocks : {1, 2, 3, 11, 40}) {
        SCOPED_TRACE(std::string(isa) + " " + tt.name + " blocks=" + std::to_string(blocks));
        const int64_t n = blocks * 256;
        std::mt19937 rng((uint32_t)(blocks * 7 + (int)t));
        std::uniform_real_distribution<float> val(-1.f, 1.f);
        const std::vector<uint8_t> x = quant_test::random_raw_row(t, n, rng);
        std::vector<float> yf((size_t)n);
        for (int64_t i = 0; i < n; ++i) yf[i] = i < 256 ? (i % 2 ? 1.f : -1.f) : val(rng);
        std::vector<uint8_t> y(row_size(tt.vec_dot_type, n));
        act.from_float(yf.data(), y.data(), n);
        const float want = tt.vec_dot(n, x.data(), y.data());
        const float got = dot(n, x.data(), y.data());
        // Integer parts are exact; the float scaling and summation order differ.
        EXPECT_NEAR(got, want, 4e-5 * (1 + std::fabs(want)) * std::sqrt((double)blocks));
    }
}

// The kernel sets with prepared-activation kernels this CPU can run.
std::vector<std::pair<const char*, QuantDots>> prepared_sets() {
    const CpuFeatures f = CpuFeatures::detect();
    std::vector<std::pair<const char*, QuantDots>> out;
    if (f.avx2) out.emplace_back("avx2", quant_dots_avx2());
    if (f.avx512 && f.avx512_vnni) out.emplace_back("avx512", quant_dots_avx512());
    return out;
}

// The prepared-activation Q4_0 kernel against the type table's Q4_0 x Q8_0 reference: the
// prepared row holds the same Q8_0 quants, so only float rounding may differ.
TEST(CpuQuantDot, PreparedQ4_0MatchesScalarReference) {
    if (prepared_sets().empty()) GTEST_SKIP() << "no SIMD kernel set on this CPU";
    for (const auto& [isa, q] : prepared_sets()) {
        SCOPED_TRACE(isa);
        const CpuKernels::PreparedDot& prep = q.prepared[(size_t)DType::Q4_0].kernel;
        ASSERT_TRUE(prep.prepare && prep.dot);
        const TypeTraits& q4 = type_traits(DType::Q4_0);
        const TypeTraits& q8 = type_traits(DType::Q8_0);
        for (int64_t n : {64, 128, 192, 2048, 5632}) {
            SCOPED_TRACE("n=" + std::to_string(n));
            std::mt19937 rng((uint32_t)n);
            std::normal_distribution<float> val(0.f, 1.f);
            std::vector<float> w((size_t)n), x((size_t)n);
            for (float& v : w) v = val(rng);
            for (int64_t i = 0; i < n; ++i) x[i] = i < 32 ? (i % 2 ? 3.f : -3.f) : val(rng);
            std::vector<uint8_t> wq(row_size(DType::Q4_0, n)), xq(row_size(DType::Q8_0, n));
            q4.from_float(w.data(), wq.data(), n);
            q8.from_float(x.data(), xq.data(), n);
            std::vector<uint8_t> prepared((size_t)n * 4);
            prep.prepare(x.data(), prepared.data(), n);
            const float want = q4.vec_dot(n, wq.data(), xq.data());
            const float got = prep.dot(n, wq.data(), prepared.data());
            EXPECT_NEAR(got, want, 1e-5 * (1 + std::fabs(want)) * std::sqrt((double)n / 32));
        }
    }
}

// The several-rows form of each prepared kernel that has one, on row counts around its row
// group (tails included), against the type table's reference dot of each row.
TEST(CpuQuantDot, PreparedDotRowsMatchScalarReference) {
    if (prepared_sets().empty()) GTEST_SKIP() << "no SIMD kernel set on this CPU";
    for (const auto& [isa, q] : prepared_sets()) {
        SCOPED_TRACE(isa);
        int kernels = 0;
        for (DType t : {DType::Q4_0, DType::Q4_K}) {
            const CpuKernels::PreparedDot& prep = q.prepared[(size_t)t].kernel;
            if (!prep.dot_rows) continue;
            ++kernels;
            const TypeTraits& tt = type_traits(t);
            const TypeTraits& vt = type_traits(tt.vec_dot_type);
            const int64_t n = 2048;
            const size_t row = row_size(t, n);
            for (int64_t nrows : {1, 3, 4, 5, 9}) {
                SCOPED_TRACE(std::string(tt.name) + " rows=" + std::to_string(nrows));
                std::mt19937 rng((uint32_t)nrows);
                std::normal_distribution<float> val(0.f, 1.f);
                std::vector<float> w((size_t)(n * nrows)), x((size_t)n);
                for (float& v : w) v = val(rng);
                for (float& v : x) v = val(rng);
                std::vector<uint8_t> wq(row * (size_t)nrows), xq(row_size(tt.vec_dot_type, n));
                for (int64_t r = 0; r < nrows; ++r)
                    tt.from_float(w.data() + r * n, wq.data() + (size_t)r * row, n);
                vt.from_float(x.data(), xq.data(), n);
                std::vector<uint8_t> prepared((size_t)n * CpuKernels::kPreparedBytesPerValue);
                prep.prepare(x.data(), prepared.data(), n);
                std::vector<float> out((size_t)nrows + 1, 1234.5f);
                prep.dot_rows(n, wq.data(), row, nrows, prepared.data(), out.data());
                for (int64_t r = 0; r < nrows; ++r) {
                    const float want = tt.vec_dot(n, wq.data() + (size_t)r * row, xq.data());
                    EXPECT_NEAR(out[r], want, 4e-5 * (1 + std::fabs(want)) * 8) << "row " << r;
                }
                EXPECT_EQ(out[nrows], 1234.5f) << "wrote past the last row";
            }
        }
        EXPECT_GT(kernels, 0) << "no prepared kernel has a several-rows form";
    }
}

// The prepared-activation Q4_K kernel against the type table's Q4_K x Q8_K reference on random
// raw blocks (every 6-bit scale and min pattern), activations at full scale in the first block.
TEST(CpuQuantDot, PreparedQ4_KMatchesScalarReference) {
    if (prepared_sets().empty()) GTEST_SKIP() << "no SIMD kernel set on this CPU";
    for (const auto& [isa, q] : prepared_sets()) {
        SCOPED_TRACE(isa);
        const CpuKernels::PreparedDot& prep = q.prepared[(size_t)DType::Q4_K].kernel;
        ASSERT_TRUE(prep.prepare && prep.dot);
        const TypeTraits& q4k = type_traits(DType::Q4_K);
        const TypeTraits& q8k = type_traits(DType::Q8_K);
        for (int64_t blocks : {1, 2, 3, 8, 22}) {
            SCOPED_TRACE("blocks=" + std::to_string(blocks));
            const int64_t n = blocks * 256;
            std::mt19937 rng((uint32_t)blocks);
            std::uniform_int_distribution<int> byte(0, 255);
            std::uniform_real_distribution<float> sc(0.0005f, 0.02f), val(-1.f, 1.f);
            std::vector<uint8_t> w(row_size(DType::Q4_K, n));
            for (uint8_t& v : w) v = (uint8_t)byte(rng);
            for (int64_t b = 0; b < blocks; ++b) {
                const uint16_t d = fp32_to_fp16(sc(rng)), dmin = fp32_to_fp16(sc(rng));
                std::memcpy(w.data() + b * q4k.type_size, &d, 2);
                std::memcpy(w.data() + b * q4k.type_size + 2, &dmin, 2);
            }
            std::vector<float> x((size_t)n);
            for (int64_t i = 0; i < n; ++i) x[i] = i < 256 ? (i % 2 ? 1.f : -1.f) : val(rng);
            std::vector<uint8_t> xq(row_size(DType::Q8_K, n)), prepared((size_t)n * 4);
            q8k.from_float(x.data(), xq.data(), n);
            prep.prepare(x.data(), prepared.data(), n);
            const float want = q4k.vec_dot(n, w.data(), xq.data());
            const float got = prep.dot(n, w.data(), prepared.data());
            EXPECT_NEAR(got, want, 4e-5 * (1 + std::fabs(want)) * std::sqrt((double)blocks));
        }
    }
}

TEST(CpuQuantDot, KQuantsMatchScalarReference) {
    const CpuFeatures f = CpuFeatures::detect();
    if (!f.avx2) GTEST_SKIP() << "no AVX2 on this CPU";
    // Q8_0 and Q4_0 are checked on hand-built extremes above (random raw Q8_0 bytes would
    // include -128, outside what Q8_0 quantization produces and the sign trick assumes).
    const DType types[] = {DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q2_K,   DType::Q3_K,
                           DType::Q4_K, DType::Q5_K, DType::Q6_K, DType::IQ4_NL, DType::IQ4_XS};
    const QuantDots a = quant_dots_avx2();
    for (DType t : types) {
        EXPECT_NE(a[t], nullptr) << type_name(t);
        check_k(a[t], t, "avx2");
    }
    if (f.avx512 && f.avx512_vnni) {
        const QuantDots b = quant_dots_avx512();
        for (DType t : types) check_k(b[t], t, "avx512");
    }
}

}  // namespace
}  // namespace lamina
