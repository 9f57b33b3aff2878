// The portable reference for Q4_0 and Q8_0 matrices interleaved in groups of eight rows
// (quant/interleave.h): activations quantized to Q8_0 as the plain dots take them, and each
// row's blocks gathered back and dotted by the type table's reference.
#include "backend/cpu/kernels.h"
#include "quant/interleave.h"

namespace lamina {
namespace {

void prepare_q8_0(const float* x, void* out, int64_t n) {
    type_traits(DType::Q8_0).from_float(x, out, n);
}

template <DType T>
void dot8_ref(int64_t n, const void* group, const void* prepared, float* out) {
    const TypeTraits& tt = type_traits(T);
    const auto* g = static_cast<const uint8_t*>(group);
    const auto* y = static_cast<const uint8_t*>(prepared);
    const size_t row_bytes = row_size(T, n), y_block = row_size(DType::Q8_0, 32);
    uint8_t block[64];
    for (int64_t r = 0; r < quant::kInterleave; ++r) {
        float sum = 0;
        for (int64_t b = 0; b < n / 32; ++b) {
            quant::interleaved_block(T, g, row_bytes, r, b, block);
            sum += tt.vec_dot(32, block, y + (size_t)b * y_block);
        }
        out[r] = sum;
    }
}

}  // namespace

void install_interleaved_ref(CpuKernels& k) {
    k.interleaved[(size_t)DType::Q4_0] = {prepare_q8_0, dot8_ref<DType::Q4_0>, false};
    k.interleaved[(size_t)DType::Q8_0] = {prepare_q8_0, dot8_ref<DType::Q8_0>, false};
}

}  // namespace lamina
