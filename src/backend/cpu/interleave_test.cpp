// Interleaving Q4_0, Q8_0 and Q4_K rows in groups of eight keeps every block: read back block by
// block, each is byte for byte the block it was, and the matrix keeps its size.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "backend/cpu/interleave.h"
#include "backend/cpu/kernels.h"
#include "quant/quant_test_support.h"

namespace lamina::quant {
namespace {

TEST(Interleave, BlocksReadBackUnchanged) {
    for (DType t : {DType::Q4_0, DType::Q8_0, DType::Q4_K})
        for (auto [K, N] : {std::pair<int64_t, int64_t>{32, 8}, {256, 16}, {2048, 24}}) {
            if (K % type_traits(t).block_size != 0) continue;  // Q4_K's blocks are 256 wide
            const size_t bs = type_traits(t).type_size;
            const int64_t nb = K / type_traits(t).block_size;
            SCOPED_TRACE(std::string(type_name(t)) + " K=" + std::to_string(K) +
                         " N=" + std::to_string(N));
            ASSERT_TRUE(can_interleave(t, K, N));
            std::mt19937 rng((uint32_t)(K + N));
            const size_t row = row_size(t, K);
            std::vector<uint8_t> plain;
            for (int64_t n = 0; n < N; ++n) {
                const std::vector<uint8_t> r = quant_test::random_raw_row(t, K, rng);
                plain.insert(plain.end(), r.begin(), r.end());
            }
            std::vector<uint8_t> mixed = plain;
            interleave_rows(t, mixed.data(), N, row);
            EXPECT_NE(mixed, plain);
            std::vector<uint8_t> got(bs);
            for (int64_t n = 0; n < N; ++n)
                for (int64_t b = 0; b < nb; ++b) {
                    interleaved_block(t, mixed.data(), row, n, b, got.data());
                    ASSERT_EQ(0, std::memcmp(got.data(), plain.data() + n * row + b * bs, bs))
                        << "row " << n << " block " << b;
                }
            // A whole column at a time gives the same eight blocks.
            std::vector<uint8_t> column(kInterleave * bs);
            for (int64_t g = 0; g < N / kInterleave; ++g)
                for (int64_t b = 0; b < nb; ++b) {
                    deinterleave_column(
                        t, mixed.data() + g * kInterleave * row + b * interleaved_column_bytes(t),
                        column.data());
                    for (int64_t i = 0; i < kInterleave; ++i)
                        ASSERT_EQ(
                            0, std::memcmp(column.data() + i * bs,
                                           plain.data() + (g * kInterleave + i) * row + b * bs, bs))
                            << "group " << g << " block " << b << " row " << i;
                }
        }
}

TEST(Interleave, OnlyWholeGroupsOfSupportedTypes) {
    EXPECT_FALSE(can_interleave(DType::Q4_0, 256, 12));
    EXPECT_FALSE(can_interleave(DType::Q4_0, 48, 8));
    EXPECT_FALSE(can_interleave(DType::Q4_K, 128, 16));
    // The types with the layout are those whose row in the kernel table has interleaved kernels,
    // on every ISA (the scalar set's are the reference).
    for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512})
        for (uint32_t id = 0; id < kTypeSlots; ++id) {
            const DType t = (DType)id;
            const bool has = cpu_kernels(isa).types[id].interleaved.dot8 != nullptr;
            EXPECT_EQ(has, t == DType::Q4_0 || t == DType::Q8_0 || t == DType::Q4_K) << id;
        }
    EXPECT_TRUE(can_interleave(DType::Q4_K, 512, 16));
    EXPECT_TRUE(can_interleave(DType::Q4_0, 64, 16));
    EXPECT_TRUE(can_interleave(DType::Q8_0, 64, 16));
}

}  // namespace
}  // namespace lamina::quant
