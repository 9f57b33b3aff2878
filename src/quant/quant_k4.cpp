// K-quants with 256-element super-blocks: Q4_K and Q5_K (eight 32-element sub-blocks with 6-bit
// scales and mins, x = d*sc*q - dmin*m) and Q6_K (sixteen 16-element sub-blocks with signed
// 8-bit scales, x = d*sc*(q - 32)). All pair with Q8_K activations.
#include <cmath>
#include <cstring>

#include "quant/blocks.h"
#include "quant/quant_common.h"
#include "quant/quant_families.h"
#include "quant/quant_search.h"

namespace lamina::quant {
namespace {

constexpr int kSub = 32;  // Q4_K/Q5_K sub-block size

void pack_scale_min(int j, int sc, int m, uint8_t* s) {
    if (j < 4) {
        s[j] = (uint8_t)sc;
        s[j + 4] = (uint8_t)m;
    } else {
        s[j + 4] = (uint8_t)((sc & 0x0F) | ((m & 0x0F) << 4));
        s[j - 4] |= (uint8_t)((sc >> 4) << 6);
        s[j] |= (uint8_t)((m >> 4) << 6);
    }
}

// Shared by Q4_K and Q5_K: searches a (scale, min) per sub-block, quantizes those to 6 bits
// against the super-block's d and dmin, then requantizes every element with the stored values.
// Writes d, dmin, scales and L (levels 0..nmax).
void quantize_scale_min_superblock(const float* x, int nmax, float rmin, int nstep, uint16_t* d,
                                   uint16_t* dmin, uint8_t* scales_out, uint8_t* L) {
    float scales[kQKK / kSub], mins[kQKK / kSub];
    float weights[kSub];
    uint8_t Laux[kSub];
    float max_scale = 0, max_min = 0;  // scales are positive since the min is subtracted
    for (int j = 0; j < kQKK / kSub; ++j) {
        const float* xs = x + kSub * j;
        float sum_x2 = 0;
        for (int l = 0; l < kSub; ++l) sum_x2 += xs[l] * xs[l];
        // Weight large values more, but never ignore small ones.
        const float av_x = std::sqrt(sum_x2 / kSub);
        for (int l = 0; l < kSub; ++l) weights[l] = av_x + std::fabs(xs[l]);
        scales[j] = search_scale_and_min(kSub, nmax, xs, weights, L + kSub * j, &mins[j], Laux,
                                         rmin, 0.1f, nstep, false);
        if (scales[j] > max_scale) max_scale = scales[j];
        if (mins[j] > max_min) max_min = mins[j];
    }
    const float inv_scale = max_scale > 0 ? 63.f / max_scale : 0.f;
    const float inv_min = max_min > 0 ? 63.f / max_min : 0.f;
    std::memset(scales_out, 0, 12);
    for (int j = 0; j < kQKK / kSub; ++j) {
        const int ls = clamp_int(nearest_int(inv_scale * scales[j]), 0, 63);
        const int lm = clamp_int(nearest_int(inv_min * mins[j]), 0, 63);
        pack_scale_min(j, ls, lm, scales_out);
    }
    *d = f2h(max_scale / 63.f);
    *dmin = f2h(max_min / 63.f);
    for (int j = 0; j < kQKK / kSub; ++j) {
        int sc, m;
        unpack_k_scale_min(j, scales_out, &sc, &m);
        const float ds = h2f(*d) * sc;
        if (!ds) continue;  // keep the searched levels; they dequantize to -dmin*m either way
        const float dm = h2f(*dmin) * m;
        for (int l = 0; l < kSub; ++l) {
            L[kSub * j + l] = (uint8_t)clamp_int(nearest_int((x[kSub * j + l] + dm) / ds), 0, nmax);
        }
    }
}

// ---- Q4_K: qs byte 32*c + l holds element 64*c + l (low nibble) and 64*c + 32 + l (high).

void q4_k_from_float(const float* x, void* dst, int64_t n) {
    BlockQ4_K* y = static_cast<BlockQ4_K*>(dst);
    uint8_t L[kQKK];
    for (int64_t i = 0; i < n / kQKK; ++i, x += kQKK) {
        quantize_scale_min_superblock(x, 15, -1.f, 20, &y[i].d, &y[i].dmin, y[i].scales, L);
        for (int c = 0; c < kQKK / 64; ++c) {
            for (int l = 0; l < 32; ++l) {
                y[i].qs[32 * c + l] = (uint8_t)(L[64 * c + l] | (L[64 * c + 32 + l] << 4));
            }
        }
    }
}

// All 256 levels (0..15) of a block, in element order.
void unpack_q4_k(const BlockQ4_K& b, int8_t* q) {
    for (int c = 0; c < kQKK / 64; ++c, q += 64) {
        for (int l = 0; l < 32; ++l) {
            q[l] = (int8_t)(b.qs[32 * c + l] & 0x0F);
            q[l + 32] = (int8_t)(b.qs[32 * c + l] >> 4);
        }
    }
}

void q4_k_to_float(const void* src, float* y, int64_t n) {
    const BlockQ4_K* x = static_cast<const BlockQ4_K*>(src);
    for (int64_t i = 0; i < n / kQKK; ++i) {
        const float d = h2f(x[i].d);
        const float dmin = h2f(x[i].dmin);
        int8_t q[kQKK];
        unpack_q4_k(x[i], q);
        for (int j = 0; j < kQKK / kSub; ++j) {
            int sc, m;
            unpack_k_scale_min(j, x[i].scales, &sc, &m);
            const float ds = d * sc;
            const float dm = dmin * m;
            for (int l = 0; l < kSub; ++l) *y++ = ds * q[kSub * j + l] - dm;
        }
    }
}

// Shared tail of the Q4_K/Q5_K dot products: per sub-block integer sums times the 6-bit scales,
// and the min term from the activation block sums (two 16-sums per 32-element sub-block).
template <typename Block>
float scale_min_vec_dot(int64_t n, const Block* x, const BlockQ8_K* y,
                        void (*unpack)(const Block&, int8_t*)) {
    float sum = 0;
    int8_t q[kQKK];
    for (int64_t i = 0; i < n / kQKK; ++i) {
        unpack(x[i], q);
        int sumi = 0, summ = 0;
        for (int j = 0; j < kQKK / kSub; ++j) {
            int sc, m;
            unpack_k_scale_min(j, x[i].scales, &sc, &m);
            int s = 0;
            for (int l = 0; l < kSub; ++l) s += q[kSub * j + l] * y[i].qs[kSub * j + l];
            sumi += sc * s;
            summ += m * (y[i].bsums[2 * j] + y[i].bsums[2 * j + 1]);
        }
        sum += h2f(x[i].d) * y[i].d * sumi - h2f(x[i].dmin) * y[i].d * summ;
    }
    return sum;
}

float q4_k_vec_dot(int64_t n, const void* vx, const void* vy) {
    return scale_min_vec_dot(n, static_cast<const BlockQ4_K*>(vx),
                             static_cast<const BlockQ8_K*>(vy), unpack_q4_k);
}

// ---- Q5_K: low 4 bits as in Q4_K; the fifth bit of element 64*c + l is bit 2c of qh[l], of
// element 64*c + 32 + l bit 2c+1.

void q5_k_from_float(const float* x, void* dst, int64_t n) {
    BlockQ5_K* y = static_cast<BlockQ5_K*>(dst);
    uint8_t L[kQKK];
    for (int64_t i = 0; i < n / kQKK; ++i, x += kQKK) {
        quantize_scale_min_superblock(x, 31, -0.5f, 15, &y[i].d, &y[i].dmin, y[i].scales, L);
        std::memset(y[i].qh, 0, sizeof(y[i].qh));
        for (int c = 0; c < kQKK / 64; ++c) {
            for (int l = 0; l < 32; ++l) {
                const int lo = L[64 * c + l], hi = L[64 * c + 32 + l];
                y[i].qs[32 * c + l] = (uint8_t)((lo & 0x0F) | ((hi & 0x0F) << 4));
                y[i].qh[l] |= (uint8_t)(((lo >> 4) << (2 * c)) | ((hi >> 4) << (2 * c + 1)));
            }
        }
    }
}

// All 256 levels (0..31) of a block, in element order.
void unpack_q5_k(const BlockQ5_K& b, int8_t* q) {
    for (int c = 0; c < kQKK / 64; ++c, q += 64) {
        for (int l = 0; l < 32; ++l) {
            q[l] = (int8_t)((b.qs[32 * c + l] & 0x0F) | (((b.qh[l] >> (2 * c)) & 1) << 4));
            q[l + 32] = (int8_t)((b.qs[32 * c + l] >> 4) | (((b.qh[l] >> (2 * c + 1)) & 1) << 4));
        }
    }
}

void q5_k_to_float(const void* src, float* y, int64_t n) {
    const BlockQ5_K* x = static_cast<const BlockQ5_K*>(src);
    for (int64_t i = 0; i < n / kQKK; ++i) {
        const float d = h2f(x[i].d);
        const float dmin = h2f(x[i].dmin);
        int8_t q[kQKK];
        unpack_q5_k(x[i], q);
        for (int j = 0; j < kQKK / kSub; ++j) {
            int sc, m;
            unpack_k_scale_min(j, x[i].scales, &sc, &m);
            const float ds = d * sc;
            const float dm = dmin * m;
            for (int l = 0; l < kSub; ++l) *y++ = ds * q[kSub * j + l] - dm;
        }
    }
}

float q5_k_vec_dot(int64_t n, const void* vx, const void* vy) {
    return scale_min_vec_dot(n, static_cast<const BlockQ5_K*>(vx),
                             static_cast<const BlockQ8_K*>(vy), unpack_q5_k);
}

// ---- Q6_K: in each 128-element half h, ql byte 64*h + l holds elements 128*h + l (low nibble)
// and 128*h + 64 + l (high); byte 64*h + 32 + l holds 128*h + 32 + l and 128*h + 96 + l. The top
// two bits of element 128*h + 32*k + l are bits 2k..2k+1 of qh[32*h + l]. Scale e/16.

void q6_k_from_float(const float* x, void* dst, int64_t n) {
    BlockQ6_K* y = static_cast<BlockQ6_K*>(dst);
    int8_t L[kQKK];
    float scales[kQKK / 16];
    for (int64_t i = 0; i < n / kQKK; ++i, x += kQKK) {
        float max_scale = 0, max_abs_scale = 0;
        for (int g = 0; g < kQKK / 16; ++g) {
            scales[g] = search_symmetric_scale(16, 32, x + 16 * g, L + 16 * g, true, nullptr);
            if (std::fabs(scales[g]) > max_abs_scale) {
                max_abs_scale = std::fabs(scales[g]);
                max_scale = scales[g];
            }
        }
        if (max_abs_scale < kGroupMaxEps) {
            std::memset(&y[i], 0, sizeof(BlockQ6_K));
            continue;
        }
        const float iscale = -128.f / max_scale;
        y[i].d = f2h(1 / iscale);
        for (int g = 0; g < kQKK / 16; ++g) {
            y[i].scales[g] = (int8_t)clamp_int(nearest_int(iscale * scales[g]), -128, 127);
        }
        for (int g = 0; g < kQKK / 16; ++g) {
            const float d = h2f(y[i].d) * y[i].scales[g];
            if (!d) continue;
            for (int l = 0; l < 16; ++l) {
                const int q = clamp_int(nearest_int(x[16 * g + l] / d), -32, 31);
                L[16 * g + l] = (int8_t)(q + 32);
            }
        }
        for (int h = 0; h < 2; ++h) {
            const int8_t* Lh = L + 128 * h;
            for (int l = 0; l < 32; ++l) {
                y[i].ql[64 * h + l] = (uint8_t)((Lh[l] & 0x0F) | ((Lh[l + 64] & 0x0F) << 4));
                y[i].ql[64 * h + 32 + l] =
                    (uint8_t)((Lh[l + 32] & 0x0F) | ((Lh[l + 96] & 0x0F) << 4));
                y[i].qh[32 * h + l] =
                    (uint8_t)((Lh[l] >> 4) | ((Lh[l + 32] >> 4) << 2) | ((Lh[l + 64] >> 4) << 4) |
                              ((Lh[l + 96] >> 4) << 6));
            }
        }
    }
}

// All 256 signed levels (-32..31) of a block, in element order.
void unpack_q6_k(const BlockQ6_K& b, int8_t* q) {
    for (int h = 0; h < 2; ++h, q += 128) {
        const uint8_t* ql = b.ql + 64 * h;
        const uint8_t* qh = b.qh + 32 * h;
        for (int l = 0; l < 32; ++l) {
            q[l] = (int8_t)(((ql[l] & 0x0F) | (((qh[l] >> 0) & 3) << 4)) - 32);
            q[l + 32] = (int8_t)(((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32);
            q[l + 64] = (int8_t)(((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
            q[l + 96] = (int8_t)(((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
        }
    }
}

void q6_k_to_float(const void* src, float* y, int64_t n) {
    const BlockQ6_K* x = static_cast<const BlockQ6_K*>(src);
    for (int64_t i = 0; i < n / kQKK; ++i) {
        const float d = h2f(x[i].d);
        int8_t q[kQKK];
        unpack_q6_k(x[i], q);
        for (int g = 0; g < kQKK / 16; ++g) {
            const float ds = d * x[i].scales[g];  // (d * sc) * q, GGUF's evaluation order
            for (int l = 0; l < 16; ++l) *y++ = ds * q[16 * g + l];
        }
    }
}

float q6_k_vec_dot(int64_t n, const void* vx, const void* vy) {
    const BlockQ6_K* x = static_cast<const BlockQ6_K*>(vx);
    const BlockQ8_K* y = static_cast<const BlockQ8_K*>(vy);
    float sum = 0;
    int8_t q[kQKK];
    for (int64_t i = 0; i < n / kQKK; ++i) {
        unpack_q6_k(x[i], q);
        int sumi = 0;
        for (int g = 0; g < kQKK / 16; ++g) {
            int s = 0;
            for (int l = 0; l < 16; ++l) s += q[16 * g + l] * y[i].qs[16 * g + l];
            sumi += x[i].scales[g] * s;
        }
        sum += h2f(x[i].d) * y[i].d * sumi;
    }
    return sum;
}

}  // namespace

void register_k4_formats(const AddCodecs& add) {
    add(DType::Q4_K, {q4_k_to_float, q4_k_from_float, DType::Q8_K, q4_k_vec_dot});
    add(DType::Q5_K, {q5_k_to_float, q5_k_from_float, DType::Q8_K, q5_k_vec_dot});
    add(DType::Q6_K, {q6_k_to_float, q6_k_from_float, DType::Q8_K, q6_k_vec_dot});
}

}  // namespace lamina::quant
