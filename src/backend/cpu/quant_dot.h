// Integer dot kernels for quantized GGUF weights against 8-bit activations, per instruction set.
#pragma once

#include <array>
#include <cstdint>

#include "backend/cpu/kernels.h"
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

// An ISA's integer dot kernels, by weight type. Each dot takes x of the weight type and y of the
// activation type it names (Q8_0/Q8_1 for the 32-wide formats, Q8_K for the 256-wide ones); a
// prepared dot takes activations in its own layout (CpuKernels::PreparedDot) made from that
// activation type. They are installed in CpuKernels only where the type table's reference reads
// the same activation type, so they never replace a different definition.
struct QuantDots {
    struct Dot {
        VecDotFn fn = nullptr;
        DType activations = DType::F32;
    };
    struct Prepared {
        CpuKernels::PreparedDot kernel;
        DType activations = DType::F32;
    };
    std::array<Dot, kTypeSlots> dot{};
    std::array<Prepared, kTypeSlots> prepared{};

    void set(DType weights, DType activations, VecDotFn fn) {
        dot[(size_t)weights] = {fn, activations};
    }
    void set_prepared(DType weights, DType activations, const CpuKernels::PreparedDot& kernel) {
        prepared[(size_t)weights] = {kernel, activations};
    }
    VecDotFn operator[](DType weights) const { return dot[(size_t)weights].fn; }
};
QuantDots quant_dots_avx2();
// Adds the AVX2 prepared-activation kernels (quant_dot_prepared_avx2.cpp).
void set_prepared_avx2(QuantDots& q);
QuantDots quant_dots_avx512();

}  // namespace lamina
