// The 32-element "legacy" formats: Q4_0 and Q5_0 (symmetric, scale only) and Q4_1 and Q5_1
// (scale and min). Element j of a block sits in the low nibble of qs[j] for j < 16 and in the
// high nibble of qs[j - 16] otherwise; Q5 formats keep the fifth bit of element j in bit j of qh.
#include <cfloat>
#include <cmath>
#include <cstring>

#include "quant/blocks.h"
#include "quant/quant_common.h"
#include "quant/quant_families.h"

namespace lamina::quant {
namespace {

constexpr int kHalf = kQK / 2;

// The signed value of largest magnitude: the symmetric formats map it exactly onto level -8/-16,
// which is one more level than the positive side has.
float signed_max(const float* x) {
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < kQK; ++j) {
        if (amax < std::fabs(x[j])) {
            amax = std::fabs(x[j]);
            max = x[j];
        }
    }
    return max;
}

void min_max(const float* x, float* min, float* max) {
    *min = FLT_MAX;
    *max = -FLT_MAX;
    for (int j = 0; j < kQK; ++j) {
        if (x[j] < *min) *min = x[j];
        if (x[j] > *max) *max = x[j];
    }
}

uint32_t load_qh(const uint8_t* qh) {
    uint32_t v;
    std::memcpy(&v, qh, 4);  // little-endian in the file, like the hosts lamina runs on
    return v;
}

// Integer part of a 32-element dot product over unsigned quants, shared by the four formats.
// q(j) gives element j's quant.
template <typename Quant>
int int_dot(const int8_t* yq, Quant q) {
    int sumi = 0;
    for (int j = 0; j < kQK; ++j) sumi += q(j) * yq[j];
    return sumi;
}

// ---- Q4_0: x = d * (q - 8)

void q4_0_from_float(const float* x, void* dst, int64_t n) {
    BlockQ4_0* y = static_cast<BlockQ4_0*>(dst);
    for (int64_t i = 0; i < n / kQK; ++i, x += kQK) {
        const float d = signed_max(x) / -8;
        const float id = d ? 1.0f / d : 0.0f;
        y[i].d = f2h(d);
        for (int j = 0; j < kHalf; ++j) {
            const int q0 = trunc_clamped(x[j] * id + 8.5f, 0, 15);
            const int q1 = trunc_clamped(x[j + kHalf] * id + 8.5f, 0, 15);
            y[i].qs[j] = (uint8_t)(q0 | (q1 << 4));
        }
    }
}

void q4_0_to_float(const void* src, float* y, int64_t n) {
    const BlockQ4_0* x = static_cast<const BlockQ4_0*>(src);
    for (int64_t i = 0; i < n / kQK; ++i, y += kQK) {
        const float d = h2f(x[i].d);
        for (int j = 0; j < kHalf; ++j) {
            y[j] = ((x[i].qs[j] & 0x0F) - 8) * d;
            y[j + kHalf] = ((x[i].qs[j] >> 4) - 8) * d;
        }
    }
}

int q4_0_quant(const BlockQ4_0& b, int j) {
    return (j < kHalf ? (b.qs[j] & 0x0F) : (b.qs[j - kHalf] >> 4)) - 8;
}

float q4_0_vec_dot(int64_t n, const void* vx, const void* vy) {
    const BlockQ4_0* x = static_cast<const BlockQ4_0*>(vx);
    const BlockQ8_0* y = static_cast<const BlockQ8_0*>(vy);
    float sum = 0;
    for (int64_t i = 0; i < n / kQK; ++i) {
        const int sumi = int_dot(y[i].qs, [&](int j) { return q4_0_quant(x[i], j); });
        sum += sumi * (h2f(x[i].d) * h2f(y[i].d));
    }
    return sum;
}

// ---- Q4_1: x = d * q + m

void q4_1_from_float(const float* x, void* dst, int64_t n) {
    BlockQ4_1* y = static_cast<BlockQ4_1*>(dst);
    for (int64_t i = 0; i < n / kQK; ++i, x += kQK) {
        float min, max;
        min_max(x, &min, &max);
        const float d = (max - min) / 15;
        const float id = d ? 1.0f / d : 0.0f;
        y[i].d = f2h(d);
        y[i].m = f2h(min);
        for (int j = 0; j < kHalf; ++j) {
            const int q0 = trunc_clamped((x[j] - min) * id + 0.5f, 0, 15);
            const int q1 = trunc_clamped((x[j + kHalf] - min) * id + 0.5f, 0, 15);
            y[i].qs[j] = (uint8_t)(q0 | (q1 << 4));
        }
    }
}

void q4_1_to_float(const void* src, float* y, int64_t n) {
    const BlockQ4_1* x = static_cast<const BlockQ4_1*>(src);
    for (int64_t i = 0; i < n / kQK; ++i, y += kQK) {
        const float d = h2f(x[i].d);
        const float m = h2f(x[i].m);
        for (int j = 0; j < kHalf; ++j) {
            y[j] = (x[i].qs[j] & 0x0F) * d + m;
            y[j + kHalf] = (x[i].qs[j] >> 4) * d + m;
        }
    }
}

float q4_1_vec_dot(int64_t n, const void* vx, const void* vy) {
    const BlockQ4_1* x = static_cast<const BlockQ4_1*>(vx);
    const BlockQ8_1* y = static_cast<const BlockQ8_1*>(vy);
    float sum = 0;
    for (int64_t i = 0; i < n / kQK; ++i) {
        const int sumi = int_dot(y[i].qs, [&](int j) {
            return j < kHalf ? (x[i].qs[j] & 0x0F) : (x[i].qs[j - kHalf] >> 4);
        });
        // sum(d*q + m) * y = d*dy*sum(q*qy) + m * (dy*sum(qy)), and dy*sum(qy) is stored as s.
        sum += (h2f(x[i].d) * h2f(y[i].d)) * sumi + h2f(x[i].m) * h2f(y[i].s);
    }
    return sum;
}

// ---- Q5_0: x = d * (q - 16), q has 5 bits

void pack_q5(const int* q, uint8_t* qs, uint8_t* qh_bytes) {
    uint32_t qh = 0;
    for (int j = 0; j < kHalf; ++j) {
        qs[j] = (uint8_t)((q[j] & 0x0F) | ((q[j + kHalf] & 0x0F) << 4));
        qh |= (uint32_t)((q[j] >> 4) & 1) << j;
        qh |= (uint32_t)((q[j + kHalf] >> 4) & 1) << (j + kHalf);
    }
    std::memcpy(qh_bytes, &qh, 4);
}

int q5_quant(const uint8_t* qs, uint32_t qh, int j) {
    const int low = j < kHalf ? (qs[j] & 0x0F) : (qs[j - kHalf] >> 4);
    return low | (int)(((qh >> j) & 1) << 4);
}

void q5_0_from_float(const float* x, void* dst, int64_t n) {
    BlockQ5_0* y = static_cast<BlockQ5_0*>(dst);
    int q[kQK];
    for (int64_t i = 0; i < n / kQK; ++i, x += kQK) {
        const float d = signed_max(x) / -16;
        const float id = d ? 1.0f / d : 0.0f;
        y[i].d = f2h(d);
        for (int j = 0; j < kQK; ++j) q[j] = trunc_clamped(x[j] * id + 16.5f, 0, 31);
        pack_q5(q, y[i].qs, y[i].qh);
    }
}

void q5_0_to_float(const void* src, float* y, int64_t n) {
    const BlockQ5_0* x = static_cast<const BlockQ5_0*>(src);
    for (int64_t i = 0; i < n / kQK; ++i, y += kQK) {
        const float d = h2f(x[i].d);
        const uint32_t qh = load_qh(x[i].qh);
        for (int j = 0; j < kQK; ++j) y[j] = (q5_quant(x[i].qs, qh, j) - 16) * d;
    }
}

float q5_0_vec_dot(int64_t n, const void* vx, const void* vy) {
    const BlockQ5_0* x = static_cast<const BlockQ5_0*>(vx);
    const BlockQ8_0* y = static_cast<const BlockQ8_0*>(vy);
    float sum = 0;
    for (int64_t i = 0; i < n / kQK; ++i) {
        const uint32_t qh = load_qh(x[i].qh);
        const int sumi = int_dot(y[i].qs, [&](int j) { return q5_quant(x[i].qs, qh, j) - 16; });
        sum += sumi * (h2f(x[i].d) * h2f(y[i].d));
    }
    return sum;
}

// ---- Q5_1: x = d * q + m, q has 5 bits

void q5_1_from_float(const float* x, void* dst, int64_t n) {
    BlockQ5_1* y = static_cast<BlockQ5_1*>(dst);
    int q[kQK];
    for (int64_t i = 0; i < n / kQK; ++i, x += kQK) {
        float min, max;
        min_max(x, &min, &max);
        const float d = (max - min) / 31;
        const float id = d ? 1.0f / d : 0.0f;
        y[i].d = f2h(d);
        y[i].m = f2h(min);
        for (int j = 0; j < kQK; ++j) q[j] = trunc_clamped((x[j] - min) * id + 0.5f, 0, 31);
        pack_q5(q, y[i].qs, y[i].qh);
    }
}

void q5_1_to_float(const void* src, float* y, int64_t n) {
    const BlockQ5_1* x = static_cast<const BlockQ5_1*>(src);
    for (int64_t i = 0; i < n / kQK; ++i, y += kQK) {
        const float d = h2f(x[i].d);
        const float m = h2f(x[i].m);
        const uint32_t qh = load_qh(x[i].qh);
        for (int j = 0; j < kQK; ++j) y[j] = q5_quant(x[i].qs, qh, j) * d + m;
    }
}

float q5_1_vec_dot(int64_t n, const void* vx, const void* vy) {
    const BlockQ5_1* x = static_cast<const BlockQ5_1*>(vx);
    const BlockQ8_1* y = static_cast<const BlockQ8_1*>(vy);
    float sum = 0;
    for (int64_t i = 0; i < n / kQK; ++i) {
        const uint32_t qh = load_qh(x[i].qh);
        const int sumi = int_dot(y[i].qs, [&](int j) { return q5_quant(x[i].qs, qh, j); });
        sum += (h2f(x[i].d) * h2f(y[i].d)) * sumi + h2f(x[i].m) * h2f(y[i].s);
    }
    return sum;
}

}  // namespace

void register_legacy_formats(const AddCodecs& add) {
    add(DType::Q4_0, {q4_0_to_float, q4_0_from_float, DType::Q8_0, q4_0_vec_dot});
    add(DType::Q4_1, {q4_1_to_float, q4_1_from_float, DType::Q8_1, q4_1_vec_dot});
    add(DType::Q5_0, {q5_0_to_float, q5_0_from_float, DType::Q8_0, q5_0_vec_dot});
    add(DType::Q5_1, {q5_1_to_float, q5_1_from_float, DType::Q8_1, q5_1_vec_dot});
}

}  // namespace lamina::quant
