// CpuWeightLayout: the layouts the CPU backend keeps weight matrices in, private to it.
#pragma once

#include <cstdint>

#include "backend/cpu/gemm.h"
#include "backend/cpu/interleave.h"
#include "core/tensor.h"

namespace lamina {

// How a matrix's rows lie in memory. At most one field differs from GGUF's row after row.
struct CpuWeightLayout {
    // Rows interleaved in groups of this many, block by block (interleave.h); 1: GGUF's rows.
    uint8_t interleave = 1;
    // Rows stored in column blocks of this many elements (column_blocks.h); 0: whole rows.
    int32_t col_block = 0;
    // Rows stored in tiles of this many rows, column by column (row_tiles.h); 0: whole rows.
    int32_t row_tile = 0;
};

// Every layout the CPU backend uses, each one constant object: a weight's Tensor::backend_record
// points at one of them. The records outlive every model and backend, so a model stored once
// can be run by any number of CpuBackend instances, one after another or side by side.
inline constexpr CpuWeightLayout kCpuRows{};
inline constexpr CpuWeightLayout kCpuInterleaved{(uint8_t)quant::kInterleave, 0, 0};
inline constexpr CpuWeightLayout kCpuColumnBlocks{1, (int32_t)kGemmColumnBlock, 0};
inline constexpr CpuWeightLayout kCpuRowTiles{1, 0, (int32_t)kGemmRowTile};

// The layout of a MulMat's weights w: its record, or GGUF's rows where it has none (activations,
// mapped weights, weights no backend stored).
inline const CpuWeightLayout& cpu_layout(const Tensor& w) {
    return w.backend_record ? *static_cast<const CpuWeightLayout*>(w.backend_record) : kCpuRows;
}

// Whether record is null or one of the CPU layouts above (not another backend's).
bool is_cpu_record(const void* record);

// Rearranges a matrix of type t, rows of K elements, N rows, that only matrix products read,
// in place into the layout this machine's kernels read fastest (interleaved groups for the
// quantized types whose kernels prefer them, row tiles for F16 and BF16 where the ISA has the
// tiled kernels, column blocks for other long plain float rows), and returns its record; null
// when GGUF's rows are best.
const CpuWeightLayout* arrange_cpu_weight(DType t, int64_t K, int64_t N, uint8_t* data);

}  // namespace lamina
