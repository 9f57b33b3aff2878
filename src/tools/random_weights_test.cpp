#include "tools/random_weights.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "core/fp16.h"

namespace lamina {
namespace {

TEST(RandomWeights, MeanAndStddevAsRequested) {
    const int64_t n = 1 << 20;
    std::vector<float> v(n);
    ASSERT_TRUE(fill_random_normal(v.data(), DType::F32, n, 99, 0.5f, 0.02f));
    double sum = 0, sq = 0, lo = 1e9, hi = -1e9;
    for (float x : v) {
        sum += x;
        lo = std::min<double>(lo, x);
        hi = std::max<double>(hi, x);
    }
    const double mean = sum / n;
    for (float x : v) sq += (x - mean) * (x - mean);
    const double sd = std::sqrt(sq / n);
    // Standard error of the mean is 0.02 / 1024; allow 5 of them.
    EXPECT_NEAR(mean, 0.5, 5 * 0.02 / 1024);
    EXPECT_NEAR(sd, 0.02, 0.02 * 0.01);
    // A sum of four uniforms is bounded at sqrt(12) = 3.46 sigma, and fills that range.
    EXPECT_GT(lo, 0.5 - 3.47 * 0.02);
    EXPECT_LT(hi, 0.5 + 3.47 * 0.02);
    EXPECT_LT(lo, 0.5 - 2.5 * 0.02);
    EXPECT_GT(hi, 0.5 + 2.5 * 0.02);
}

TEST(RandomWeights, IndependentOfThreadCountAndSeeded) {
    const int64_t n = 300001;  // several chunks plus a partial one
    std::vector<float> one(n), three(n), other(n);
    ASSERT_TRUE(fill_random_normal(one.data(), DType::F32, n, 5, 0.0f, 1.0f, 1));
    ASSERT_TRUE(fill_random_normal(three.data(), DType::F32, n, 5, 0.0f, 1.0f, 3));
    ASSERT_TRUE(fill_random_normal(other.data(), DType::F32, n, 6, 0.0f, 1.0f, 3));
    EXPECT_EQ(0, std::memcmp(one.data(), three.data(), n * sizeof(float)));
    EXPECT_NE(0, std::memcmp(one.data(), other.data(), n * sizeof(float)));
}

TEST(RandomWeights, HalfTypesAreRoundedFloat32Values) {
    const int64_t n = 70000;
    std::vector<float> f(n);
    std::vector<uint16_t> h(n), b(n);
    ASSERT_TRUE(fill_random_normal(f.data(), DType::F32, n, 11, 0.0f, 0.02f));
    ASSERT_TRUE(fill_random_normal(h.data(), DType::F16, n, 11, 0.0f, 0.02f));
    ASSERT_TRUE(fill_random_normal(b.data(), DType::BF16, n, 11, 0.0f, 0.02f));
    for (int64_t i = 0; i < n; ++i) {
        ASSERT_EQ(h[i], fp32_to_fp16(f[i])) << i;
        ASSERT_EQ(b[i], fp32_to_bf16(f[i])) << i;
    }
}

TEST(RandomWeights, RejectsQuantizedTypes) {
    std::vector<uint8_t> buf(1024);
    Status s = fill_random_normal(buf.data(), DType::Q4_0, 32, 1, 0.0f, 1.0f);
    EXPECT_FALSE(s);
    EXPECT_NE(s.message().find("Q4_0"), std::string::npos) << s.message();
}

TEST(RandomWeights, NameHashIsFnv1a) {
    // Published FNV-1a 64-bit test vectors.
    EXPECT_EQ(name_hash("", 0), 0xcbf29ce484222325ull);
    EXPECT_EQ(name_hash("a", 1), 0xaf63dc4c8601ec8cull);
    EXPECT_EQ(name_hash("foobar", 6), 0x85944171f73967e8ull);
}

}  // namespace
}  // namespace lamina
