// 8-bit formats: Q8_0 (weights and activations), Q8_1 (activations with a block sum) and Q8_K
// (activations of the K-quant dot products, with sums of every 16 quants).
#include <cmath>
#include <cstring>

#include "quant/blocks.h"
#include "quant/quant_common.h"
#include "quant/quant_families.h"

namespace lamina::quant {
namespace {

float block_amax(const float* x, int n) {
    float amax = 0.0f;
    for (int j = 0; j < n; ++j) amax = std::fmax(amax, std::fabs(x[j]));
    return amax;
}

// ---- Q8_0: d = amax / 127, q = round(x / d) (half away from zero).

void q8_0_from_float(const float* x, void* dst, int64_t n) {
    BlockQ8_0* y = static_cast<BlockQ8_0*>(dst);
    for (int64_t i = 0; i < n / kQK; ++i, x += kQK) {
        const float d = block_amax(x, kQK) / 127;
        const float id = d ? 1.0f / d : 0.0f;
        y[i].d = f2h(d);
        for (int j = 0; j < kQK; ++j)
            y[i].qs[j] = (int8_t)trunc_clamped(std::round(x[j] * id), -128, 127);
    }
}

void q8_0_to_float(const void* src, float* y, int64_t n) {
    const BlockQ8_0* x = static_cast<const BlockQ8_0*>(src);
    for (int64_t i = 0; i < n / kQK; ++i) {
        const float d = h2f(x[i].d);
        for (int j = 0; j < kQK; ++j) *y++ = x[i].qs[j] * d;
    }
}

float q8_0_vec_dot(int64_t n, const void* vx, const void* vy) {
    const BlockQ8_0* x = static_cast<const BlockQ8_0*>(vx);
    const BlockQ8_0* y = static_cast<const BlockQ8_0*>(vy);
    float sum = 0;
    for (int64_t i = 0; i < n / kQK; ++i) {
        int sumi = 0;
        for (int j = 0; j < kQK; ++j) sumi += x[i].qs[j] * y[i].qs[j];
        sum += sumi * (h2f(x[i].d) * h2f(y[i].d));
    }
    return sum;
}

// ---- Q8_1: as Q8_0, plus s = d * sum(q) so that a min offset of the weights costs one product.

void q8_1_from_float(const float* x, void* dst, int64_t n) {
    BlockQ8_1* y = static_cast<BlockQ8_1*>(dst);
    for (int64_t i = 0; i < n / kQK; ++i, x += kQK) {
        const float d = block_amax(x, kQK) / 127;
        const float id = d ? 1.0f / d : 0.0f;
        y[i].d = f2h(d);
        int sum = 0;
        for (int j = 0; j < kQK; ++j) {
            y[i].qs[j] = (int8_t)trunc_clamped(std::round(x[j] * id), -128, 127);
            sum += y[i].qs[j];
        }
        y[i].s = f2h(sum * d);
    }
}

void q8_1_to_float(const void* src, float* y, int64_t n) {
    const BlockQ8_1* x = static_cast<const BlockQ8_1*>(src);
    for (int64_t i = 0; i < n / kQK; ++i) {
        const float d = h2f(x[i].d);
        for (int j = 0; j < kQK; ++j) *y++ = x[i].qs[j] * d;
    }
}

float q8_1_vec_dot(int64_t n, const void* vx, const void* vy) {
    const BlockQ8_1* x = static_cast<const BlockQ8_1*>(vx);
    const BlockQ8_1* y = static_cast<const BlockQ8_1*>(vy);
    float sum = 0;
    for (int64_t i = 0; i < n / kQK; ++i) {
        int sumi = 0;
        for (int j = 0; j < kQK; ++j) sumi += x[i].qs[j] * y[i].qs[j];
        sum += sumi * (h2f(x[i].d) * h2f(y[i].d));
    }
    return sum;
}

// ---- Q8_K: float scale d = max / -127 where max is the signed value of largest magnitude.

void q8_k_from_float(const float* x, void* dst, int64_t n) {
    BlockQ8_K* y = static_cast<BlockQ8_K*>(dst);
    for (int64_t i = 0; i < n / kQKK; ++i, x += kQKK) {
        float max = 0, amax = 0;
        for (int j = 0; j < kQKK; ++j) {
            const float ax = std::fabs(x[j]);
            if (ax > amax) {
                amax = ax;
                max = x[j];
            }
        }
        if (!amax) {
            std::memset(&y[i], 0, sizeof(BlockQ8_K));
            continue;
        }
        const float iscale = -127.f / max;
        for (int j = 0; j < kQKK; ++j) {
            // -128 cannot occur: |iscale * x| <= 127 up to rounding, which only overshoots +127.
            y[i].qs[j] = (int8_t)clamp_int(nearest_int(iscale * x[j]), -128, 127);
        }
        for (int g = 0; g < kQKK / 16; ++g) {
            int sum = 0;
            for (int j = 0; j < 16; ++j) sum += y[i].qs[16 * g + j];
            y[i].bsums[g] = (int16_t)sum;
        }
        y[i].d = 1 / iscale;
    }
}

void q8_k_to_float(const void* src, float* y, int64_t n) {
    const BlockQ8_K* x = static_cast<const BlockQ8_K*>(src);
    for (int64_t i = 0; i < n / kQKK; ++i) {
        for (int j = 0; j < kQKK; ++j) *y++ = x[i].d * x[i].qs[j];
    }
}

float q8_k_vec_dot(int64_t n, const void* vx, const void* vy) {
    const BlockQ8_K* x = static_cast<const BlockQ8_K*>(vx);
    const BlockQ8_K* y = static_cast<const BlockQ8_K*>(vy);
    float sum = 0;
    for (int64_t i = 0; i < n / kQKK; ++i) {
        int sumi = 0;
        for (int j = 0; j < kQKK; ++j) sumi += x[i].qs[j] * y[i].qs[j];
        sum += x[i].d * y[i].d * sumi;
    }
    return sum;
}

}  // namespace

void register_q8_formats(const AddCodecs& add) {
    add(DType::Q8_0, {q8_0_to_float, q8_0_from_float, DType::Q8_0, q8_0_vec_dot});
    add(DType::Q8_1, {q8_1_to_float, q8_1_from_float, DType::Q8_1, q8_1_vec_dot});
    add(DType::Q8_K, {q8_k_to_float, q8_k_from_float, DType::Q8_K, q8_k_vec_dot});
}

}  // namespace lamina::quant
