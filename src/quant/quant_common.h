// Small shared helpers of the quantization kernels: rounding and half-precision access.
#pragma once

#include <cmath>
#include <cstdint>

#include "core/fp16.h"

namespace lamina::quant {

// Round to nearest, ties to even (the default FP rounding mode), as GGUF's quantizers do.
// Only used on values already bounded by a few hundred; NaN gives an unspecified value, never UB.
inline int nearest_int(float v) {
    return (int)std::lrintf(v);
}

// Truncation toward zero clamped to [lo, hi]; NaN maps to lo (C's float->int cast would be UB).
inline int trunc_clamped(float v, int lo, int hi) {
    if (!(v > (float)lo)) return lo;
    if (v >= (float)hi) return hi;
    return (int)v;
}

inline int clamp_int(int v, int lo, int hi) {
    return v < lo ? lo : (v > hi ? hi : v);
}

inline float h2f(uint16_t h) {
    return fp16_to_fp32(h);
}
inline uint16_t f2h(float f) {
    return fp32_to_fp16(f);
}

}  // namespace lamina::quant
