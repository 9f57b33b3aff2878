// Test-only helpers for the quantization tests: seeded data and a table of the formats under test.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "core/fp16.h"
#include "quant/type_traits.h"

namespace lamina::quant_test {

// The formats of src/quant/, the most common in downloaded GGUF files first.
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

// A row of n values of type t as random raw bytes (any bit pattern of the quants, scales and
// mins is a valid block), with the fp16 super-scales set to finite values in [lo, hi).
inline std::vector<uint8_t> random_raw_row(DType t, int64_t n, std::mt19937& rng,
                                           float lo = 0.0005f, float hi = 0.02f, int fill = -1) {
    const TypeTraits& tt = type_traits(t);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_real_distribution<float> sc(lo, hi);
    std::vector<uint8_t> x(row_size(t, n));
    // fill >= 0: every byte but the float scales takes that value (extreme levels).
    for (uint8_t& v : x) v = (uint8_t)(fill >= 0 ? fill : byte(rng));
    for (int64_t b = 0; b < n / tt.block_size; ++b) {
        uint8_t* blk = x.data() + b * tt.type_size;
        // Q4_K/Q5_K/Q4_1/Q5_1: d and dmin (m) lead the block; Q3_K/Q6_K: d closes it, Q2_K: d
        // and dmin close it; the others lead with d.
        auto put = [&](size_t at) {
            const uint16_t h = fp32_to_fp16(sc(rng));
            std::memcpy(blk + at, &h, 2);
        };
        if (t == DType::Q4_K || t == DType::Q5_K || t == DType::Q4_1 || t == DType::Q5_1) {
            put(0);
            put(2);
        } else if (t == DType::Q6_K || t == DType::Q3_K) {
            put(tt.type_size - 2);
        } else if (t == DType::Q2_K) {
            put(tt.type_size - 4);
            put(tt.type_size - 2);
        } else {
            put(0);
        }
    }
    return x;
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
