// The portable reference for matrices interleaved in groups of eight rows
// (backend/cpu/interleave.h): activations quantized to the weight type's vec_dot_type as the plain
// dots take them, and each row's blocks gathered back and dotted by the type table's reference.
#include "backend/cpu/interleave.h"
#include "backend/cpu/kernels.h"

namespace lamina {
namespace {

template <DType T>
void prepare_ref(const float* x, void* out, int64_t n) {
    type_traits(type_traits(T).vec_dot_type).from_float(x, out, n);
}

template <DType T>
void dot8_ref(int64_t n, const void* group, const void* prepared, float* out) {
    const TypeTraits& tt = type_traits(T);
    const auto* g = static_cast<const uint8_t*>(group);
    const auto* y = static_cast<const uint8_t*>(prepared);
    const int64_t bs = tt.block_size;
    const size_t row_bytes = row_size(T, n), y_block = row_size(tt.vec_dot_type, bs);
    uint8_t block[quant::kMaxInterleavedColumnBytes / quant::kInterleave];
    for (int64_t r = 0; r < quant::kInterleave; ++r) {
        float sum = 0;
        for (int64_t b = 0; b < n / bs; ++b) {
            quant::interleaved_block(T, g, row_bytes, r, b, block);
            sum += tt.vec_dot(bs, block, y + (size_t)b * y_block);
        }
        out[r] = sum;
    }
}

template <DType T>
CpuKernels::InterleavedDot reference() {
    return {prepare_ref<T>, dot8_ref<T>, false};
}

}  // namespace

void install_interleaved_ref(CpuKernels& k) {
    k.types[(size_t)DType::Q4_0].interleaved = reference<DType::Q4_0>();
    k.types[(size_t)DType::Q8_0].interleaved = reference<DType::Q8_0>();
    k.types[(size_t)DType::Q4_K].interleaved = reference<DType::Q4_K>();
}

}  // namespace lamina
