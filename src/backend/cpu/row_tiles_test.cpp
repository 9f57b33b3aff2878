// Row tiles: where each element lands (checked against offsets worked out by hand) and that a
// tiled matrix gives its rows back.
#include "backend/cpu/row_tiles.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace lamina {
namespace {

TEST(RowTiles, OffsetsByHand) {
    // 4 rows per tile, 3 columns, 2-byte elements: a tile is 24 bytes; row 5 column 2 is in
    // tile 1, column 2 holds rows 4..7, row 5 is its second: 24 + (2 * 4 + 1) * 2 = 42.
    const RowTiles t{4, 3, 2};
    EXPECT_EQ(t.tile_bytes(), 24u);
    EXPECT_EQ(t.offset(0, 0), 0u);
    EXPECT_EQ(t.offset(3, 0), 6u);
    EXPECT_EQ(t.offset(0, 1), 8u);
    EXPECT_EQ(t.offset(5, 2), 42u);
    EXPECT_TRUE(t.fits(8));
    EXPECT_FALSE(t.fits(6));
    EXPECT_FALSE((RowTiles{0, 3, 2}.fits(8)));
}

// Every element size the rearrangement has a path for: 2 and 4 bytes, and any other.
TEST(RowTiles, TilingMovesEveryElementAndRowsComeBack) {
    for (size_t eb : {1u, 2u, 4u, 8u}) {
        SCOPED_TRACE("element bytes " + std::to_string(eb));
        const int64_t T = 32, K = 37, N = 64;
        std::vector<uint8_t> plain((size_t)(N * K) * eb);
        for (size_t i = 0; i < plain.size(); ++i) plain[i] = (uint8_t)(i * 7 + i / 251);
        std::vector<uint8_t> tiled = plain;
        const RowTiles layout{T, K, eb};
        tile_rows(tiled.data(), N, layout);
        ASSERT_NE(tiled, plain);
        for (int64_t n = 0; n < N; ++n)
            for (int64_t k = 0; k < K; ++k)
                ASSERT_EQ(std::memcmp(tiled.data() + layout.offset(n, k),
                                      plain.data() + (size_t)(n * K + k) * eb, eb),
                          0)
                    << "row " << n << " column " << k;
        std::vector<uint8_t> row((size_t)K * eb);
        for (int64_t n : {0, 1, 31, 32, 63}) {
            gather_tiled_row(tiled.data(), layout, n, row.data());
            EXPECT_EQ(std::memcmp(row.data(), plain.data() + (size_t)(n * K) * eb, row.size()), 0)
                << "row " << n;
        }
    }
}

}  // namespace
}  // namespace lamina
