// Integer dot kernels for quantized GGUF weights: Q8_0, Q4_0 against Q8_0 activations, Q4_K, Q5_K
// and Q6_K against Q8_K.
#pragma once

#include <cstdint>

#include "core/types.h"
#include "quant/blocks.h"

namespace lamina {

// The block layouts are GGUF's, defined once in quant/blocks.h.
using quant::BlockQ4_0;
using quant::BlockQ4_K;
using quant::BlockQ5_K;
using quant::BlockQ6_K;
using quant::BlockQ8_0;
using quant::BlockQ8_K;

// VecDotFn kernels: x of the weight type, y of its vec_dot type (Q8_0 for the 32-wide formats,
// n a multiple of 32; Q8_K for the K-quants, n a multiple of 256). nullptr where the ISA has none.
// They are installed in CpuKernels only where the type table's reference agrees on the contract
// (the same vec_dot type), so they never replace a different definition.
struct QuantDots {
    VecDotFn q8_0 = nullptr;
    VecDotFn q4_0 = nullptr;
    VecDotFn q4_k = nullptr;
    VecDotFn q5_k = nullptr;
    VecDotFn q6_k = nullptr;
    VecDotFn iq4_nl = nullptr;  // against Q8_0
    VecDotFn iq4_xs = nullptr;  // against Q8_K
    VecDotFn q4_1 = nullptr;    // against Q8_1
    VecDotFn q5_0 = nullptr;    // against Q8_0
    VecDotFn q5_1 = nullptr;    // against Q8_1
    VecDotFn q2_k = nullptr;
    VecDotFn q3_k = nullptr;
    // Q4_0 against prepared activations (CpuKernels::PreparedDot), rows of multiples of 64.
    void (*q4_0_prepare)(const float* x, void* out, int64_t n) = nullptr;
    VecDotFn q4_0_prepared = nullptr;
    // Q4_K likewise, rows of multiples of 256.
    void (*q4_k_prepare)(const float* x, void* out, int64_t n) = nullptr;
    VecDotFn q4_k_prepared = nullptr;
};
QuantDots quant_dots_avx2();
QuantDots quant_dots_avx512();

}  // namespace lamina
