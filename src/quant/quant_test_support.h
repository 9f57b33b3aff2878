// Test-only helpers for the quantization tests: seeded data and a table of the formats under test.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "core/types.h"

namespace lamina::quant_test {

// The formats of src/quant/, in the brief's priority order.
inline const std::vector<DType>& quant_types() {
    static const std::vector<DType> types = {DType::Q8_0,   DType::Q4_0,  DType::Q8_K, DType::Q4_K,
                                             DType::Q6_K,   DType::Q4_1,  DType::Q5_0, DType::Q5_1,
                                             DType::Q8_1,   DType::Q5_K,  DType::Q3_K, DType::Q2_K,
                                             DType::IQ4_NL, DType::IQ4_XS};
    return types;
}

// Weight formats (those with a vec_dot against a different activation type or used as weights).
inline std::vector<DType> weight_types() {
    std::vector<DType> out;
    for (DType t : quant_types()) {
        if (t != DType::Q8_K && t != DType::Q8_1) out.push_back(t);
    }
    return out;
}

inline std::vector<float> gaussian(size_t n, uint32_t seed, float sigma = 1.0f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, sigma);
    std::vector<float> v(n);
    for (float& x : v) x = dist(rng);
    return v;
}

inline std::vector<uint8_t> quantize(DType t, const std::vector<float>& x) {
    const TypeTraits& tt = type_traits(t);
    std::vector<uint8_t> q(row_size(t, (int64_t)x.size()));
    tt.from_float(x.data(), q.data(), (int64_t)x.size());
    return q;
}

inline std::vector<float> dequantize(DType t, const std::vector<uint8_t>& q, size_t n) {
    std::vector<float> y(n);
    type_traits(t).to_float(q.data(), y.data(), (int64_t)n);
    return y;
}

inline double rmse(const std::vector<float>& a, const std::vector<float>& b) {
    double s = 0;
    for (size_t i = 0; i < a.size(); ++i) s += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
    return std::sqrt(s / (double)a.size());
}

}  // namespace lamina::quant_test
