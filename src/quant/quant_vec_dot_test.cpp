// vec_dot of every weight format against its activation format equals the double-precision dot
// of the two dequantized rows, up to float rounding, on awkward row lengths.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/fp16.h"
#include "core/types.h"
#include "quant/quant_test_support.h"

namespace lamina {
namespace {

using quant_test::dequantize;
using quant_test::gaussian;
using quant_test::quantize;

class VecDotTest : public ::testing::TestWithParam<DType> {};

// For Q8_1 activations the min term uses the stored s = fp16(d * sum(q)) rather than the exact
// h2f(d) * sum(q), so Q4_1/Q5_1 may differ by up to |m| * |s| * 2^-11 per block (fp16 rounding).
double q8_1_sum_slack(DType w, const std::vector<uint8_t>& qx, const std::vector<uint8_t>& qy,
                      int64_t n) {
    if (type_traits(w).vec_dot_type != DType::Q8_1) return 0;
    const size_t wsize = type_traits(w).type_size;
    double slack = 0;
    for (int64_t b = 0; b < n / 32; ++b) {
        const float m = fp16_to_fp32((uint16_t)(qx[b * wsize + 2] | (qx[b * wsize + 3] << 8)));
        const float d = fp16_to_fp32((uint16_t)(qy[b * 36] | (qy[b * 36 + 1] << 8)));
        int sum = 0;
        for (int j = 0; j < 32; ++j) sum += (int8_t)qy[b * 36 + 4 + j];
        slack += std::fabs(m) * (std::fabs(d * sum) * 0x1p-10 + 1e-7);
    }
    return slack;
}

TEST_P(VecDotTest, EqualsDequantizedDotInDouble) {
    const DType t = GetParam();
    const TypeTraits& tt = type_traits(t);
    const DType yt = tt.vec_dot_type;
    for (int64_t blocks : {1, 3, 7, 43, 344}) {
        const int64_t n = blocks * tt.block_size;
        if (n % type_traits(yt).block_size) continue;
        // Offset weights so that formats with a min see a non-trivial one.
        std::vector<float> x = gaussian((size_t)n, 100 + (uint32_t)blocks);
        for (float& v : x) v = 0.02f * v + 0.005f;
        const std::vector<float> y = gaussian((size_t)n, 200 + (uint32_t)blocks, 3.0f);
        const std::vector<uint8_t> qx = quantize(t, x), qy = quantize(yt, y);
        const std::vector<float> dx = dequantize(t, qx, (size_t)n);
        const std::vector<float> dy = dequantize(yt, qy, (size_t)n);
        double want = 0, magnitude = 0;
        for (int64_t i = 0; i < n; ++i) {
            want += (double)dx[i] * dy[i];
            magnitude += std::fabs((double)dx[i] * dy[i]);
        }
        const float got = tt.vec_dot(n, qx.data(), qy.data());
        // Float accumulation over blocks plus a few roundings per block.
        const double tol = 4e-7 * (double)(blocks + 8) * magnitude + q8_1_sum_slack(t, qx, qy, n);
        EXPECT_NEAR(got, want, tol) << tt.name << " with " << blocks << " blocks";
    }
}

TEST_P(VecDotTest, ZeroActivationsGiveZero) {
    const DType t = GetParam();
    const TypeTraits& tt = type_traits(t);
    const int64_t n = 2 * 256;
    const std::vector<uint8_t> qx = quantize(t, gaussian((size_t)n, 5));
    const std::vector<uint8_t> qy = quantize(tt.vec_dot_type, std::vector<float>((size_t)n, 0.0f));
    EXPECT_EQ(tt.vec_dot(n, qx.data(), qy.data()), 0.0f);
}

INSTANTIATE_TEST_SUITE_P(AllQuantTypes, VecDotTest, ::testing::ValuesIn(quant_test::quant_types()),
                         [](const auto& info) { return std::string(type_name(info.param)); });

}  // namespace
}  // namespace lamina
