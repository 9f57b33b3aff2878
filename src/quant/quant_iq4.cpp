// Non-linear 4-bit formats: each 4-bit index selects one of 16 fixed levels (kIQ4Values).
// IQ4_NL: 32-element blocks with an fp16 scale (pairs with Q8_0). IQ4_XS: 256-element super-blocks
// of eight 32-element sub-blocks with 6-bit signed scales, x = d*(ls - 32)*level (pairs with Q8_K).
// Within each 32 elements, index j sits in the low nibble of byte j (j < 16), else the high nibble
// of byte j - 16.
#include <cmath>
#include <cstring>

#include "quant/blocks.h"
#include "quant/quant_common.h"
#include "quant/quant_families.h"

namespace lamina::quant {
namespace {

constexpr int kSub = 32;
// Inverse scales tried on either side of the first guess, as llama-quantize does for files.
constexpr int kTries = 7;

// Index of the level nearest to v; a tie goes to the upper level.
int nearest_level(float v) {
    if (v <= kIQ4Values[0]) return 0;
    if (v >= kIQ4Values[15]) return 15;
    int lo = 0, hi = 15;
    while (hi - lo > 1) {
        const int mid = (lo + hi) / 2;
        if (v < kIQ4Values[mid]) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    return v - kIQ4Values[lo] < kIQ4Values[hi] - v ? lo : hi;
}

// Best scale for one 32-element sub-block under weights x^2; levels go to L. Returns 0 for an
// all-(near)-zero sub-block, leaving L untouched.
float search_sub_block(const float* x, uint8_t* L) {
    float weight[kSub];
    for (int j = 0; j < kSub; ++j) weight[j] = x[j] * x[j];
    float amax = 0, max = 0;
    for (int j = 0; j < kSub; ++j) {
        if (std::fabs(x[j]) > amax) {
            amax = std::fabs(x[j]);
            max = x[j];
        }
    }
    if (amax < kGroupMaxEps) return 0;
    // First guess maps the largest-magnitude value onto +-127; the tries below map it onto the
    // most negative level side instead, with small offsets.
    float d = -max / kIQ4Values[0];
    float id = 1 / d;
    float sumqx = 0, sumq2 = 0;
    for (int j = 0; j < kSub; ++j) {
        const int l = nearest_level(id * x[j]);
        L[j] = (uint8_t)l;
        const float q = kIQ4Values[l];
        sumqx += weight[j] * q * x[j];
        sumq2 += weight[j] * q * q;
    }
    d = sumqx / sumq2;
    float best = d * sumqx;
    for (int t = -kTries; t <= kTries; ++t) {
        id = (t + kIQ4Values[0]) / max;
        sumqx = sumq2 = 0;
        for (int j = 0; j < kSub; ++j) {
            const float q = kIQ4Values[nearest_level(id * x[j])];
            sumqx += weight[j] * q * x[j];
            sumq2 += weight[j] * q * q;
        }
        if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
            d = sumqx / sumq2;
            best = d * sumqx;
        }
    }
    return d;
}

void pack_nibbles(const uint8_t* L, uint8_t* qs) {
    for (int j = 0; j < 16; ++j) qs[j] = (uint8_t)(L[j] | (L[j + 16] << 4));
}

int index_at(const uint8_t* qs, int j) {
    return j < 16 ? qs[j] & 0x0F : qs[j - 16] >> 4;
}

int level_dot(const uint8_t* qs, const int8_t* yq) {
    int s = 0;
    for (int j = 0; j < kSub; ++j) s += kIQ4Values[index_at(qs, j)] * yq[j];
    return s;
}

// ---- IQ4_NL

void iq4_nl_from_float(const float* x, void* dst, int64_t n) {
    BlockIQ4_NL* y = static_cast<BlockIQ4_NL*>(dst);
    uint8_t L[kSub];
    for (int64_t i = 0; i < n / kSub; ++i, x += kSub) {
        std::memset(L, 0, sizeof(L));
        const float d = search_sub_block(x, L);
        y[i].d = f2h(d);
        // Requantize against the final scale.
        const float id = d ? 1 / d : 0;
        for (int j = 0; j < kSub; ++j) L[j] = (uint8_t)nearest_level(id * x[j]);
        pack_nibbles(L, y[i].qs);
    }
}

void iq4_nl_to_float(const void* src, float* y, int64_t n) {
    const BlockIQ4_NL* x = static_cast<const BlockIQ4_NL*>(src);
    for (int64_t i = 0; i < n / kSub; ++i) {
        const float d = h2f(x[i].d);
        for (int j = 0; j < kSub; ++j) *y++ = d * kIQ4Values[index_at(x[i].qs, j)];
    }
}

float iq4_nl_vec_dot(int64_t n, const void* vx, const void* vy) {
    const BlockIQ4_NL* x = static_cast<const BlockIQ4_NL*>(vx);
    const BlockQ8_0* y = static_cast<const BlockQ8_0*>(vy);
    float sum = 0;
    for (int64_t i = 0; i < n / kSub; ++i) {
        sum += (h2f(x[i].d) * h2f(y[i].d)) * level_dot(x[i].qs, y[i].qs);
    }
    return sum;
}

// ---- IQ4_XS: sub-block ib's 6-bit scale has its low nibble in scales_l[ib/2] (low nibble for
// even ib) and its top two bits at bit 2*ib of scales_h.

int iq4_xs_scale(const BlockIQ4_XS& b, int ib) {
    const int low = (b.scales_l[ib / 2] >> (4 * (ib % 2))) & 0x0F;
    const int high = (b.scales_h >> (2 * ib)) & 3;
    return (low | (high << 4)) - 32;
}

void iq4_xs_from_float(const float* x, void* dst, int64_t n) {
    BlockIQ4_XS* y = static_cast<BlockIQ4_XS*>(dst);
    uint8_t L[kQKK];
    float scales[kQKK / kSub];
    for (int64_t i = 0; i < n / kQKK; ++i, x += kQKK) {
        std::memset(&y[i], 0, sizeof(BlockIQ4_XS));
        std::memset(L, 0, sizeof(L));
        float max_scale = 0, amax_scale = 0;
        for (int ib = 0; ib < kQKK / kSub; ++ib) {
            scales[ib] = search_sub_block(x + kSub * ib, L + kSub * ib);
            if (std::fabs(scales[ib]) > amax_scale) {
                amax_scale = std::fabs(scales[ib]);
                max_scale = scales[ib];
            }
        }
        const float d = -max_scale / 32;
        y[i].d = f2h(d);
        const float id = d ? 1 / d : 0.f;
        for (int ib = 0; ib < kQKK / kSub; ++ib) {
            const int l = clamp_int(nearest_int(id * scales[ib]), -32, 31);
            // Requantize the sub-block against its 6-bit scale (computed from the unrounded d,
            // as the reference quantizer does).
            const float dl = d * l;
            const float idl = dl ? 1 / dl : 0.f;
            for (int j = 0; j < kSub; ++j) {
                L[kSub * ib + j] = (uint8_t)nearest_level(idl * x[kSub * ib + j]);
            }
            const int biased = l + 32;
            y[i].scales_l[ib / 2] |= (uint8_t)((biased & 0x0F) << (4 * (ib % 2)));
            y[i].scales_h |= (uint16_t)((biased >> 4) << (2 * ib));
        }
        for (int ib = 0; ib < kQKK / kSub; ++ib) pack_nibbles(L + kSub * ib, y[i].qs + 16 * ib);
    }
}

void iq4_xs_to_float(const void* src, float* y, int64_t n) {
    const BlockIQ4_XS* x = static_cast<const BlockIQ4_XS*>(src);
    for (int64_t i = 0; i < n / kQKK; ++i) {
        const float d = h2f(x[i].d);
        for (int ib = 0; ib < kQKK / kSub; ++ib) {
            const float dl = d * iq4_xs_scale(x[i], ib);
            const uint8_t* qs = x[i].qs + 16 * ib;
            for (int j = 0; j < kSub; ++j) *y++ = dl * kIQ4Values[index_at(qs, j)];
        }
    }
}

float iq4_xs_vec_dot(int64_t n, const void* vx, const void* vy) {
    const BlockIQ4_XS* x = static_cast<const BlockIQ4_XS*>(vx);
    const BlockQ8_K* y = static_cast<const BlockQ8_K*>(vy);
    float sum = 0;
    for (int64_t i = 0; i < n / kQKK; ++i) {
        int sumi = 0;
        for (int ib = 0; ib < kQKK / kSub; ++ib) {
            sumi += iq4_xs_scale(x[i], ib) * level_dot(x[i].qs + 16 * ib, y[i].qs + kSub * ib);
        }
        sum += h2f(x[i].d) * y[i].d * sumi;
    }
    return sum;
}

}  // namespace

void register_iq4_formats(const AddCodecs& add) {
    add(DType::IQ4_NL, {iq4_nl_to_float, iq4_nl_from_float, DType::Q8_0, iq4_nl_vec_dot});
    add(DType::IQ4_XS, {iq4_xs_to_float, iq4_xs_from_float, DType::Q8_K, iq4_xs_vec_dot});
}

}  // namespace lamina::quant
