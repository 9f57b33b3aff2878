// Splitting a row-major matrix into column blocks in place puts every element where
// ColumnBlocks::offset says, for blocks that divide the rows, leave a narrow tail, or cover them.
#include "backend/cpu/column_blocks.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace lamina {
namespace {

TEST(ColumnBlocks, SplitPutsEveryElementAtItsOffset) {
    for (auto [rows, cols, width] :
         {std::tuple{5, 12, 4}, {3, 7, 3}, {1, 9, 8}, {6, 5, 5}, {4, 6, 10}, {2, 6, 0}}) {
        SCOPED_TRACE(std::to_string(rows) + "x" + std::to_string(cols) + " width " +
                     std::to_string(width));
        const ColumnBlocks layout{width, rows, cols, sizeof(uint16_t)};
        std::vector<uint16_t> m((size_t)rows * cols);
        for (int n = 0; n < rows; ++n)
            for (int k = 0; k < cols; ++k) m[(size_t)n * cols + k] = (uint16_t)(1000 * n + k);
        std::vector<uint16_t> split = m;
        split_into_column_blocks(reinterpret_cast<uint8_t*>(split.data()), layout);
        for (int n = 0; n < rows; ++n)
            for (int k = 0; k < cols; ++k) {
                uint16_t v;
                std::memcpy(&v,
                            reinterpret_cast<const uint8_t*>(split.data()) + layout.offset(n, k),
                            sizeof v);
                EXPECT_EQ(v, 1000 * n + k) << "row " << n << " column " << k;
            }
    }
    // By hand: 2 rows of 5 in blocks of 2 are [r0 c0-1, r1 c0-1, r0 c2-3, r1 c2-3, r0 c4, r1 c4].
    std::vector<uint16_t> m = {0, 1, 2, 3, 4, 10, 11, 12, 13, 14};
    split_into_column_blocks(reinterpret_cast<uint8_t*>(m.data()), {2, 2, 5, sizeof(uint16_t)});
    EXPECT_EQ(m, (std::vector<uint16_t>{0, 1, 10, 11, 2, 3, 12, 13, 4, 14}));
}

// at(): row n from column k on, and the stride to the next row there, for blocks and for whole
// rows (which keep the matrix's own row stride, here padded to 16 bytes).
TEST(ColumnBlocks, AtFindsTheRowAndItsStride) {
    const std::vector<uint8_t> matrix(32);
    const uint8_t* base = matrix.data();
    size_t ld = 0;
    const ColumnBlocks blocks{2, 2, 5, sizeof(uint16_t)};
    EXPECT_EQ(blocks.at(base, 0, 1, 3, &ld) - base, 14);  // [r0 c0-1, r1 c0-1, r0 c2-3, r1 c2-3]
    EXPECT_EQ(ld, 4u);
    EXPECT_EQ(blocks.at(base, 0, 1, 4, &ld) - base, 18);  // the one-column tail block
    EXPECT_EQ(ld, 2u);
    const ColumnBlocks whole{0, 2, 5, sizeof(uint16_t)};
    EXPECT_EQ(whole.at(base, 16, 1, 3, &ld) - base, 22);
    EXPECT_EQ(ld, 16u);
}

}  // namespace
}  // namespace lamina
