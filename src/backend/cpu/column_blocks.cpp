#include "backend/cpu/column_blocks.h"

#include <cstring>
#include <vector>

namespace lamina {

void split_into_column_blocks(uint8_t* data, const ColumnBlocks& layout) {
    if (layout.count() <= 1) return;
    const size_t row_bytes = (size_t)layout.cols * layout.elem_bytes;
    const std::vector<uint8_t> rows(data, data + row_bytes * (size_t)layout.rows);
    for (int64_t b = 0; b < layout.count(); ++b)
        for (int64_t n = 0; n < layout.rows; ++n)
            std::memcpy(
                data + layout.offset(n, layout.first(b)),
                rows.data() + (size_t)n * row_bytes + (size_t)layout.first(b) * layout.elem_bytes,
                layout.row_stride(b));
}

}  // namespace lamina
