// Quantize -> dequantize quality on gaussian data, determinism, and awkward inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <vector>

#include "core/types.h"
#include "quant/quant_test_support.h"

namespace lamina {
namespace {

using quant_test::dequantize;
using quant_test::gaussian;
using quant_test::quantize;
using quant_test::rmse;

// RMSE bounds for N(0, 1) data: about 10% above lamina's measured values (printed by the test).
// Plain round-to-nearest on a uniform grid gives step/sqrt(12), with the step set by the block's
// largest magnitude (about 2.2 for 32 samples, 2.9 for 256): Q8_0 2.2/127/sqrt(12) = 0.0050,
// Q8_K 0.0066, Q4_0 2.2/8/sqrt(12) = 0.079, Q5_0 0.040. The K-quants beat their bit width's
// grid thanks to the searched scales and mins; the bounds keep them in the expected order.
const std::map<DType, double>& rmse_bounds() {
    static const std::map<DType, double> b = {
        {DType::Q8_0, 0.0060}, {DType::Q8_1, 0.0060},   {DType::Q8_K, 0.0077},
        {DType::Q6_K, 0.0195}, {DType::Q5_K, 0.0400},   {DType::Q5_0, 0.0470},
        {DType::Q5_1, 0.0420}, {DType::Q4_K, 0.0790},   {DType::Q4_0, 0.0950},
        {DType::Q4_1, 0.0870}, {DType::IQ4_NL, 0.0840}, {DType::IQ4_XS, 0.0850},
        {DType::Q3_K, 0.1660}, {DType::Q2_K, 0.3300},
    };
    return b;
}

class RoundTripTest : public ::testing::TestWithParam<DType> {};

TEST_P(RoundTripTest, GaussianRmseBelowBound) {
    const DType t = GetParam();
    const size_t n = 256 * 512;
    const std::vector<float> x = gaussian(n, 42);
    const double err = rmse(x, dequantize(t, quantize(t, x), n));
    std::printf("[ RMSE     ] %-6s %.5f\n", type_name(t), err);
    EXPECT_LT(err, rmse_bounds().at(t)) << type_name(t);
    EXPECT_GT(err, 0.0);
}

TEST_P(RoundTripTest, ScaleInvariantForPowersOfTwo) {
    // Multiplying by 2^k changes no decision of any quantizer (all arithmetic scales exactly),
    // so the error scales by 2^k too, as long as the fp16 scales stay normal.
    const DType t = GetParam();
    const size_t n = 256 * 8;
    std::vector<float> x = gaussian(n, 7);
    const double e1 = rmse(x, dequantize(t, quantize(t, x), n));
    for (float& v : x) v *= 8.0f;
    const double e8 = rmse(x, dequantize(t, quantize(t, x), n));
    EXPECT_NEAR(e8, 8.0 * e1, 1e-6 * e8) << type_name(t);
}

TEST_P(RoundTripTest, Deterministic) {
    const DType t = GetParam();
    const std::vector<float> x = gaussian(256 * 16, 3);
    EXPECT_EQ(quantize(t, x), quantize(t, x));
}

TEST_P(RoundTripTest, AwkwardBlocks) {
    const DType t = GetParam();
    const size_t n = 256 * 4;
    std::vector<float> x(n, 0.0f);                                       // block 0: zeros
    for (size_t i = 256; i < 512; ++i) x[i] = 0.75f;                     // block 1: constant
    for (size_t i = 512; i < 768; ++i) x[i] = (i % 2 ? 1e-3f : -1e-3f);  // block 2: tiny
    std::vector<float> g = gaussian(256, 9);  // block 3: gaussian with an outlier
    for (size_t i = 0; i < 256; ++i) x[768 + i] = g[i];
    x[800] = 40.0f;
    const std::vector<float> y = dequantize(t, quantize(t, x), n);
    for (size_t i = 0; i < 256; ++i) ASSERT_EQ(y[i], 0.0f) << type_name(t) << " at " << i;
    for (size_t i = 0; i < n; ++i) ASSERT_TRUE(std::isfinite(y[i])) << type_name(t) << " at " << i;
    for (size_t i = 256; i < 512; ++i) ASSERT_NEAR(y[i], 0.75f, 0.06f) << type_name(t);
    EXPECT_NEAR(y[800], 40.0f, 3.0f) << type_name(t);
}

TEST_P(RoundTripTest, NonFiniteInputsStayWithinTheFormat) {
    // NaN and infinities have no defined quantization; they must not trip undefined behaviour
    // (checked under the sanitizer build) and must leave the other blocks untouched.
    const DType t = GetParam();
    const size_t n = 512;
    std::vector<float> x = gaussian(n, 11);
    x[3] = NAN;
    x[40] = INFINITY;
    x[77] = -INFINITY;
    const std::vector<float> clean(x.begin() + 256, x.end());
    const std::vector<float> y = dequantize(t, quantize(t, x), n);
    const std::vector<float> y_clean = dequantize(t, quantize(t, clean), clean.size());
    for (size_t i = 0; i < clean.size(); ++i) ASSERT_EQ(y[256 + i], y_clean[i]) << type_name(t);
}

INSTANTIATE_TEST_SUITE_P(AllQuantTypes, RoundTripTest,
                         ::testing::ValuesIn(quant_test::quant_types()),
                         [](const auto& info) { return std::string(type_name(info.param)); });

// llama.cpp's own acceptance test (tests/test-quantize-fns.cpp) on its synthetic data
// 0.1 + 2*cos(i + offset), 4096 values, with its error measure sqrt(sum d^2) / n and its limits:
// round trip below 0.002 (2-bit 0.0075, 3-bit 0.0040); |vec_dot - exact dot| / n below 0.02
// (Q2_K 0.04), the activations quantized to the format's vec_dot_type.
TEST(QuantLlamaCppLimitsTest, SyntheticCosineData) {
    const size_t n = 32 * 128;
    std::vector<float> x(n), y(n);
    for (size_t i = 0; i < n; ++i) {
        x[i] = 0.1f + 2 * std::cos((float)i + 0.0f);
        y[i] = 0.1f + 2 * std::cos((float)i + 1.0f);
    }
    for (DType t : quant_test::weight_types()) {
        const TypeTraits& tt = type_traits(t);
        const std::vector<uint8_t> qx = quantize(t, x);
        const std::vector<float> dx = dequantize(t, qx, n);
        double sum2 = 0;
        for (size_t i = 0; i < n; ++i) sum2 += ((double)x[i] - dx[i]) * ((double)x[i] - dx[i]);
        const double total_error = std::sqrt(sum2) / (double)n;
        const double max_total = t == DType::Q2_K ? 0.0075 : (t == DType::Q3_K ? 0.0040 : 0.002);
        EXPECT_LT(total_error, max_total) << tt.name;

        const std::vector<uint8_t> qy = quantize(tt.vec_dot_type, y);
        double exact = 0;
        for (size_t i = 0; i < n; ++i) exact += (double)x[i] * y[i];
        const double dot_error =
            std::fabs(tt.vec_dot((int64_t)n, qx.data(), qy.data()) - exact) / (double)n;
        EXPECT_LT(dot_error, t == DType::Q2_K ? 0.04 : 0.02) << tt.name;
    }
}

// Exact cases fixed by the format definitions.
TEST(QuantExactTest, Q8_0AndQ4_0Levels) {
    // A block holding -8..7 times 0.5: Q4_0 takes d = max/-8 = 0.5 (max is -4, the value of
    // largest magnitude), Q8_0 takes d = 4/127; both reproduce the integers' grid exactly.
    std::vector<float> x(32);
    for (int i = 0; i < 32; ++i) x[i] = 0.5f * (float)(i % 16 - 8);
    const std::vector<uint8_t> q4 = quantize(DType::Q4_0, x);
    EXPECT_EQ(q4[0] | (q4[1] << 8), 0x3800);  // fp16(0.5)
    EXPECT_EQ(dequantize(DType::Q4_0, q4, 32), x);
    const std::vector<uint8_t> q8 = quantize(DType::Q8_0, x);
    EXPECT_EQ((int8_t)q8[2], -127);      // -4 * 127/4
    EXPECT_EQ((int8_t)q8[2 + 1], -111);  // -3.5 * 127/4 = -111.125
}

TEST(QuantExactTest, Q8_KScaleAndBlockSums) {
    std::vector<float> x(256);
    for (int i = 0; i < 256; ++i) x[i] = (float)(i % 16) - 7.0f;  // -7..8: largest is +8
    const std::vector<uint8_t> q = quantize(DType::Q8_K, x);
    float d;
    std::memcpy(&d, q.data(), 4);
    // d = max / -127 with max the signed value of largest magnitude, so the quants are negated.
    EXPECT_FLOAT_EQ(d, -8.0f / 127.0f);
    const int8_t* qs = reinterpret_cast<const int8_t*>(q.data() + 4);
    EXPECT_EQ(qs[15], -127);
    EXPECT_EQ(qs[0], 111);  // -7 * -127/8 = 111.125
    for (int g = 0; g < 16; ++g) {
        int sum = 0;
        for (int j = 0; j < 16; ++j) sum += qs[16 * g + j];
        const int16_t bsum = (int16_t)(q[260 + 2 * g] | (q[261 + 2 * g] << 8));
        EXPECT_EQ(bsum, sum);
    }
}

}  // namespace
}  // namespace lamina
