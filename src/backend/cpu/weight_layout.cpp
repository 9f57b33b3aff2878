// The CPU backend's choice of weight layout, made when a weight is stored.
#include "backend/cpu/weight_layout.h"

#include "backend/cpu/column_blocks.h"
#include "backend/cpu/kernels.h"
#include "backend/cpu/row_tiles.h"

namespace lamina {

bool is_cpu_record(const void* record) {
    return record == nullptr || record == &kCpuRows || record == &kCpuInterleaved ||
           record == &kCpuColumnBlocks || record == &kCpuRowTiles;
}

const CpuWeightLayout* arrange_cpu_weight(DType t, int64_t K, int64_t N, uint8_t* data) {
    // The layouts follow the kernels of the best ISA this machine has, not those of one backend
    // instance: every CpuBackend reads every layout (the scalar set through its reference
    // kernels), and a model stored once serves backends of any ISA.
    if (quant::can_interleave(t, K, N) && cpu_prefers_interleaved(t)) {
        quant::interleave_rows(t, data, N, row_size(t, K));
        return &kCpuInterleaved;
    }
    const size_t elem_bytes = type_traits(t).type_size;
    if (const int64_t tile = cpu_row_tile(t, N); tile > 0) {
        tile_rows(data, N, {tile, K, elem_bytes});
        return &kCpuRowTiles;
    }
    if (const int64_t width = cpu_column_block(t, K); width > 0) {
        split_into_column_blocks(data, {width, N, K, elem_bytes});
        return &kCpuColumnBlocks;
    }
    return nullptr;
}

}  // namespace lamina
