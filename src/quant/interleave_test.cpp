// Interleaving Q4_0 rows in groups of eight keeps every block: read back block by block, each is
// byte for byte the block it was, and the matrix keeps its size.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "quant/interleave.h"
#include "quant/quant_test_support.h"

namespace lamina::quant {
namespace {

TEST(Interleave, Q4_0BlocksReadBackUnchanged) {
    for (auto [K, N] : {std::pair<int64_t, int64_t>{32, 8}, {256, 16}, {2048, 24}}) {
        SCOPED_TRACE("K=" + std::to_string(K) + " N=" + std::to_string(N));
        ASSERT_TRUE(can_interleave(DType::Q4_0, K, N));
        std::mt19937 rng((uint32_t)(K + N));
        const size_t row = row_size(DType::Q4_0, K);
        std::vector<uint8_t> plain;
        for (int64_t n = 0; n < N; ++n) {
            const std::vector<uint8_t> r = quant_test::random_raw_row(DType::Q4_0, K, rng);
            plain.insert(plain.end(), r.begin(), r.end());
        }
        std::vector<uint8_t> mixed = plain;
        interleave_q4_0(mixed.data(), N, row);
        EXPECT_NE(mixed, plain);
        for (int64_t n = 0; n < N; ++n)
            for (int64_t b = 0; b < K / 32; ++b) {
                const BlockQ4_0 got = interleaved_q4_0_block(mixed.data(), row, n, b);
                ASSERT_EQ(0, std::memcmp(&got, plain.data() + n * row + b * sizeof(BlockQ4_0),
                                         sizeof(BlockQ4_0)))
                    << "row " << n << " block " << b;
            }
    }
}

TEST(Interleave, OnlyWholeGroupsOfQ4_0) {
    EXPECT_FALSE(can_interleave(DType::Q4_0, 256, 12));
    EXPECT_FALSE(can_interleave(DType::Q4_0, 48, 8));
    EXPECT_FALSE(can_interleave(DType::Q8_0, 256, 16));
    EXPECT_TRUE(can_interleave(DType::Q4_0, 64, 16));
}

}  // namespace
}  // namespace lamina::quant
