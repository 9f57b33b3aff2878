// The portable reference for Q4_0 matrices interleaved in groups of eight rows
// (quant/interleave.h): activations quantized to Q8_0 as the plain Q4_0 dot takes them, and each
// row's blocks gathered back and dotted by the type table's reference.
#include "backend/cpu/kernels.h"
#include "quant/interleave.h"

namespace lamina {
namespace {

void prepare_q8_0(const float* x, void* out, int64_t n) {
    type_traits(DType::Q8_0).from_float(x, out, n);
}

void dot8_q4_0x8_ref(int64_t n, const void* group, const void* prepared, float* out) {
    const TypeTraits& tt = type_traits(DType::Q4_0);
    const auto* g = static_cast<const uint8_t*>(group);
    const auto* y = static_cast<const quant::BlockQ8_0*>(prepared);
    const size_t row_bytes = (size_t)(n / 32) * sizeof(quant::BlockQ4_0);
    for (int64_t r = 0; r < quant::kInterleave; ++r) {
        float sum = 0;
        for (int64_t b = 0; b < n / 32; ++b) {
            const quant::BlockQ4_0 x = quant::interleaved_q4_0_block(g, row_bytes, r, b);
            sum += tt.vec_dot(32, &x, &y[b]);
        }
        out[r] = sum;
    }
}

}  // namespace

void install_interleaved_q4_0_ref(CpuKernels& k) {
    k.q4_0x8 = {prepare_q8_0, dot8_q4_0x8_ref};
    k.prefer_q4_0x8 = false;
}

}  // namespace lamina
