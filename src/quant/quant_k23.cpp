// Low-bit K-quants with 256-element super-blocks of sixteen 16-element sub-blocks: Q2_K
// (x = d*sc*q - dmin*m with 4-bit sc and m) and Q3_K (x = d*(sc - 32)*(q - 4), 6-bit sc, the
// third bit of q in hmask). Both pair with Q8_K activations.
//
// Shared 2-bit layout: in each 128-element half h, byte qs[32*h + l] holds elements
// 128*h + 32*k + l for k = 0..3 in bits 2k..2k+1. The scale of element e is entry e/16.
#include <cmath>
#include <cstring>

#include "quant/blocks.h"
#include "quant/quant_common.h"
#include "quant/quant_families.h"
#include "quant/quant_search.h"

namespace lamina::quant {
namespace {

template <typename Level>
void pack_2bit(const Level* L, uint8_t* qs) {
    for (int h = 0; h < 2; ++h) {
        const Level* Lh = L + 128 * h;
        for (int l = 0; l < 32; ++l) {
            qs[32 * h + l] =
                (uint8_t)(Lh[l] | (Lh[l + 32] << 2) | (Lh[l + 64] << 4) | (Lh[l + 96] << 6));
        }
    }
}

// The 256 two-bit fields (0..3) in element order.
void unpack_2bit(const uint8_t* qs, int8_t* q) {
    for (int h = 0; h < 2; ++h, q += 128) {
        for (int k = 0; k < 4; ++k) {
            for (int l = 0; l < 32; ++l) q[32 * k + l] = (int8_t)((qs[32 * h + l] >> (2 * k)) & 3);
        }
    }
}

// ---- Q2_K: scales[g] low nibble = scale, high nibble = min.

void q2_k_from_float(const float* x, void* dst, int64_t n) {
    BlockQ2_K* y = static_cast<BlockQ2_K*>(dst);
    uint8_t L[kQKK], Laux[16];
    float weights[16], scales[kQKK / 16], mins[kQKK / 16];
    for (int64_t i = 0; i < n / kQKK; ++i, x += kQKK) {
        float max_scale = 0, max_min = 0;
        for (int g = 0; g < kQKK / 16; ++g) {
            for (int l = 0; l < 16; ++l) weights[l] = std::fabs(x[16 * g + l]);
            scales[g] = search_scale_and_min(16, 3, x + 16 * g, weights, L + 16 * g, &mins[g], Laux,
                                             -0.5f, 0.1f, 15, true);
            if (scales[g] > max_scale) max_scale = scales[g];
            if (mins[g] > max_min) max_min = mins[g];
        }
        std::memset(y[i].scales, 0, sizeof(y[i].scales));
        y[i].d = f2h(0.f);
        y[i].dmin = f2h(0.f);
        if (max_scale > 0) {
            const float iscale = 15.f / max_scale;
            for (int g = 0; g < kQKK / 16; ++g) {
                y[i].scales[g] = (uint8_t)clamp_int(nearest_int(iscale * scales[g]), 0, 15);
            }
            y[i].d = f2h(max_scale / 15.f);
        }
        if (max_min > 0) {
            const float iscale = 15.f / max_min;
            for (int g = 0; g < kQKK / 16; ++g) {
                y[i].scales[g] |= (uint8_t)(clamp_int(nearest_int(iscale * mins[g]), 0, 15) << 4);
            }
            y[i].dmin = f2h(max_min / 15.f);
        }
        for (int g = 0; g < kQKK / 16; ++g) {
            const float d = h2f(y[i].d) * (y[i].scales[g] & 0x0F);
            if (!d) continue;
            const float dm = h2f(y[i].dmin) * (y[i].scales[g] >> 4);
            for (int l = 0; l < 16; ++l) {
                L[16 * g + l] = (uint8_t)clamp_int(nearest_int((x[16 * g + l] + dm) / d), 0, 3);
            }
        }
        pack_2bit(L, y[i].qs);
    }
}

void q2_k_to_float(const void* src, float* y, int64_t n) {
    const BlockQ2_K* x = static_cast<const BlockQ2_K*>(src);
    for (int64_t i = 0; i < n / kQKK; ++i) {
        const float d = h2f(x[i].d);
        const float dmin = h2f(x[i].dmin);
        int8_t q[kQKK];
        unpack_2bit(x[i].qs, q);
        for (int g = 0; g < kQKK / 16; ++g) {
            const float dl = d * (x[i].scales[g] & 0x0F);
            const float ml = dmin * (x[i].scales[g] >> 4);
            for (int l = 0; l < 16; ++l) *y++ = dl * q[16 * g + l] - ml;
        }
    }
}

float q2_k_vec_dot(int64_t n, const void* vx, const void* vy) {
    const BlockQ2_K* x = static_cast<const BlockQ2_K*>(vx);
    const BlockQ8_K* y = static_cast<const BlockQ8_K*>(vy);
    float sum = 0;
    int8_t q[kQKK];
    for (int64_t i = 0; i < n / kQKK; ++i) {
        unpack_2bit(x[i].qs, q);
        int sumi = 0, summ = 0;
        for (int g = 0; g < kQKK / 16; ++g) {
            int s = 0;
            for (int l = 0; l < 16; ++l) s += q[16 * g + l] * y[i].qs[16 * g + l];
            sumi += (x[i].scales[g] & 0x0F) * s;
            summ += (x[i].scales[g] >> 4) * y[i].bsums[g];
        }
        sum += y[i].d * h2f(x[i].d) * sumi - y[i].d * h2f(x[i].dmin) * summ;
    }
    return sum;
}

// ---- Q3_K: scale g has its low 4 bits in the low (g < 8) or high (g >= 8) nibble of
// scales[g % 8] and its top 2 bits at bit 2*(g/4) of scales[8 + g%4]; stored biased by 32.
// The third quant bit of element e is bit e/32 of hmask[e % 32]; a clear bit subtracts 4.

// All 256 signed levels (-4..3) of a block, in element order.
void unpack_q3_k(const BlockQ3_K& b, int8_t* q) {
    unpack_2bit(b.qs, q);
    for (int k = 0; k < 8; ++k) {
        for (int l = 0; l < 32; ++l) {
            // Branch-free: the bits are random, a branch here mispredicts half the time.
            q[32 * k + l] = (int8_t)(q[32 * k + l] - 4 + 4 * ((b.hmask[l] >> k) & 1));
        }
    }
}

void q3_k_from_float(const float* x, void* dst, int64_t n) {
    BlockQ3_K* y = static_cast<BlockQ3_K*>(dst);
    int8_t L[kQKK];
    float scales[kQKK / 16];
    for (int64_t i = 0; i < n / kQKK; ++i, x += kQKK) {
        float max_scale = 0, amax = 0;
        for (int g = 0; g < kQKK / 16; ++g) {
            scales[g] = search_symmetric_refined(16, 4, x + 16 * g, L + 16 * g);
            if (std::fabs(scales[g]) > amax) {
                amax = std::fabs(scales[g]);
                max_scale = scales[g];
            }
        }
        std::memset(y[i].scales, 0, sizeof(y[i].scales));
        if (max_scale) {
            const float iscale = -32.f / max_scale;
            for (int g = 0; g < kQKK / 16; ++g) {
                const int l = clamp_int(nearest_int(iscale * scales[g]), -32, 31) + 32;
                if (g < 8) {
                    y[i].scales[g] = (uint8_t)(l & 0x0F);
                } else {
                    y[i].scales[g - 8] |= (uint8_t)((l & 0x0F) << 4);
                }
                y[i].scales[8 + g % 4] |= (uint8_t)((l >> 4) << (2 * (g / 4)));
            }
            y[i].d = f2h(1 / iscale);
        } else {
            y[i].d = f2h(0.f);
        }
        for (int g = 0; g < kQKK / 16; ++g) {
            const float d = h2f(y[i].d) * q3_k_scale(y[i].scales, g);
            if (!d) continue;
            for (int l = 0; l < 16; ++l) {
                L[16 * g + l] = (int8_t)(clamp_int(nearest_int(x[16 * g + l] / d), -4, 3) + 4);
            }
        }
        std::memset(y[i].hmask, 0, sizeof(y[i].hmask));
        for (int e = 0; e < kQKK; ++e) {
            if (L[e] > 3) {
                y[i].hmask[e % 32] |= (uint8_t)(1 << (e / 32));
                L[e] = (int8_t)(L[e] - 4);
            }
        }
        pack_2bit(L, y[i].qs);
    }
}

void q3_k_to_float(const void* src, float* y, int64_t n) {
    const BlockQ3_K* x = static_cast<const BlockQ3_K*>(src);
    for (int64_t i = 0; i < n / kQKK; ++i) {
        const float d = h2f(x[i].d);
        int8_t q[kQKK];
        unpack_q3_k(x[i], q);
        for (int g = 0; g < kQKK / 16; ++g) {
            const float dl = d * q3_k_scale(x[i].scales, g);
            for (int l = 0; l < 16; ++l) *y++ = dl * q[16 * g + l];
        }
    }
}

float q3_k_vec_dot(int64_t n, const void* vx, const void* vy) {
    const BlockQ3_K* x = static_cast<const BlockQ3_K*>(vx);
    const BlockQ8_K* y = static_cast<const BlockQ8_K*>(vy);
    float sum = 0;
    int8_t q[kQKK];
    for (int64_t i = 0; i < n / kQKK; ++i) {
        unpack_q3_k(x[i], q);
        int sumi = 0;
        for (int g = 0; g < kQKK / 16; ++g) {
            int s = 0;
            for (int l = 0; l < 16; ++l) s += q[16 * g + l] * y[i].qs[16 * g + l];
            sumi += q3_k_scale(x[i].scales, g) * s;
        }
        sum += h2f(x[i].d) * y[i].d * sumi;
    }
    return sum;
}

}  // namespace

void register_k23_formats(const AddCodecs& add) {
    add(DType::Q2_K, {q2_k_to_float, q2_k_from_float, DType::Q8_K, q2_k_vec_dot});
    add(DType::Q3_K, {q3_k_to_float, q3_k_from_float, DType::Q8_K, q3_k_vec_dot});
}

}  // namespace lamina::quant
