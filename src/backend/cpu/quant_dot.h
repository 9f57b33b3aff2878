// Integer dot kernels for quantized GGUF weights (Q8_0, Q4_0) against Q8_0 activations.
#pragma once

#include <cstdint>

#include "core/types.h"

namespace lamina {

// GGUF block layouts (facts of the file format): a float16 scale d, then 32 quants.
// Q8_0: value = d * qs[i]. Q4_0: value = d * (nibble - 8), element j < 16 in the low nibble of
// qs[j], element j + 16 in its high nibble.
struct BlockQ8_0 {
    uint16_t d;
    int8_t qs[32];
};
struct BlockQ4_0 {
    uint16_t d;
    uint8_t qs[16];
};
static_assert(sizeof(BlockQ8_0) == 34 && sizeof(BlockQ4_0) == 18);

// VecDotFn kernels: x of the weight type, y Q8_0, n a multiple of 32. nullptr where the ISA has
// none. They are installed in CpuKernels only where the type table's reference agrees on the
// contract (vec_dot_type Q8_0), so they never replace a different definition.
struct QuantDots {
    VecDotFn q8_0 = nullptr;
    VecDotFn q4_0 = nullptr;
};
QuantDots quant_dots_avx2();
QuantDots quant_dots_avx512();

}  // namespace lamina
