// The portable half of the integer GEMM: each weight type's unpacking to bytes and scales, and
// the packing of activations and weights into the micro-kernel's layouts (qgemm.h).
#include "backend/cpu/qgemm.h"

#include <algorithm>
#include <cstring>

#include "backend/cpu/interleave.h"
#include "core/fp16.h"
#include "quant/blocks.h"

namespace lamina {
namespace {

using namespace quant;

float h2f(uint16_t h) {
    return fp16_to_fp32(h);
}

// The 32 values of a 16-byte nibble run (Q4_0 and kin): value j in the low nibble of qs[j],
// j + 16 in the high one.
void nibbles32(const uint8_t* qs, uint8_t* q) {
    for (int j = 0; j < 16; ++j) {
        q[j] = qs[j] & 0x0F;
        q[j + 16] = qs[j] >> 4;
    }
}

// Q5_0/Q5_1's fifth bits: bit j of the little-endian word qh for value j.
void add_fifth_bits(const uint8_t* qh_bytes, uint8_t* q) {
    uint32_t qh;
    std::memcpy(&qh, qh_bytes, 4);
    for (int j = 0; j < 32; ++j) q[j] = (uint8_t)(q[j] | (((qh >> j) & 1) << 4));
}

// IQ4 indices to their signed levels, shifted to unsigned like Q8_0.
void iq4_levels(uint8_t* q, int n) {
    for (int j = 0; j < n; ++j) q[j] = (uint8_t)(kIQ4Values[q[j]] + 128);
}

// Q4_0: weight = d * (q - 8).
void unpack_q4_0(const void* block, uint8_t* q, float* dx, float*) {
    const BlockQ4_0& x = *static_cast<const BlockQ4_0*>(block);
    nibbles32(x.qs, q);
    dx[0] = h2f(x.d);
}

// Q5_0: Q4_0 plus a fifth bit per value; weight = d * (q - 16).
void unpack_q5_0(const void* block, uint8_t* q, float* dx, float*) {
    const BlockQ5_0& x = *static_cast<const BlockQ5_0*>(block);
    nibbles32(x.qs, q);
    add_fifth_bits(x.qh, q);
    dx[0] = h2f(x.d);
}

// Q4_1: Q4_0's nibbles with a free min; weight = d * q + m.
void unpack_q4_1(const void* block, uint8_t* q, float* dx, float* mx) {
    const BlockQ4_1& x = *static_cast<const BlockQ4_1*>(block);
    nibbles32(x.qs, q);
    dx[0] = h2f(x.d);
    mx[0] = h2f(x.m);
}

// Q5_1: Q5_0's five bits with a free min.
void unpack_q5_1(const void* block, uint8_t* q, float* dx, float* mx) {
    const BlockQ5_1& x = *static_cast<const BlockQ5_1*>(block);
    nibbles32(x.qs, q);
    add_fifth_bits(x.qh, q);
    dx[0] = h2f(x.d);
    mx[0] = h2f(x.m);
}

// Q8_0: signed quants shifted to unsigned; weight = d * ((q + 128) - 128).
void unpack_q8_0(const void* block, uint8_t* q, float* dx, float*) {
    const BlockQ8_0& x = *static_cast<const BlockQ8_0*>(block);
    for (int j = 0; j < 32; ++j) q[j] = (uint8_t)(x.qs[j] + 128);
    dx[0] = h2f(x.d);
}

// IQ4_NL: Q4_0's nibble order, indices into the level table.
void unpack_iq4_nl(const void* block, uint8_t* q, float* dx, float*) {
    const BlockIQ4_NL& x = *static_cast<const BlockIQ4_NL*>(block);
    nibbles32(x.qs, q);
    iq4_levels(q, 32);
    dx[0] = h2f(x.d);
}

// IQ4_XS: eight IQ4_NL-ordered sub-blocks of 32 with 6-bit scales biased by 32.
void unpack_iq4_xs(const void* block, uint8_t* q, float* dx, float*) {
    const BlockIQ4_XS& x = *static_cast<const BlockIQ4_XS*>(block);
    const float d = h2f(x.d);
    for (int ib = 0; ib < 8; ++ib) {
        const int ls =
            ((x.scales_l[ib / 2] >> (4 * (ib % 2))) & 0x0F) | (((x.scales_h >> (2 * ib)) & 3) << 4);
        dx[ib] = d * (float)(ls - 32);
        nibbles32(x.qs + 16 * ib, q + 32 * ib);
    }
    iq4_levels(q, 256);
}

// Q4_K and Q5_K's low four bits and scales: 64-value chunks of 32 bytes, low nibbles the
// chunk's first sub-block, high nibbles its second; weight = d * sc * q - dmin * m.
template <typename Block>
void unpack_k_low_bits(const Block& x, uint8_t* q, float* dx, float* mx) {
    const float d = h2f(x.d), dmin = h2f(x.dmin);
    for (int j = 0; j < 8; ++j) {
        int sc, m;
        unpack_k_scale_min(j, x.scales, &sc, &m);
        dx[j] = d * (float)sc;
        mx[j] = -(dmin * (float)m);
        const uint8_t* qs = x.qs + 32 * (j / 2);
        for (int l = 0; l < 32; ++l) q[32 * j + l] = j % 2 ? qs[l] >> 4 : qs[l] & 0x0F;
    }
}

void unpack_q4_k(const void* block, uint8_t* q, float* dx, float* mx) {
    unpack_k_low_bits(*static_cast<const BlockQ4_K*>(block), q, dx, mx);
}

// Q5_K: Q4_K plus a fifth bit, bit j of qh[l] for value l of sub-block j.
void unpack_q5_k(const void* block, uint8_t* q, float* dx, float* mx) {
    const BlockQ5_K& x = *static_cast<const BlockQ5_K*>(block);
    unpack_k_low_bits(x, q, dx, mx);
    for (int j = 0; j < 8; ++j)
        for (int l = 0; l < 32; ++l) q[32 * j + l] |= (uint8_t)(((x.qh[l] >> j) & 1) << 4);
}

// Q6_K: value 128h + 32k + l has its low nibble in ql[64h + 32(k % 2) + l] (low for k < 2, high
// otherwise) and its top two bits at bit 2k of qh[32h + l]; weight = d * sc * (q - 32).
void unpack_q6_k(const void* block, uint8_t* q, float* dx, float*) {
    const BlockQ6_K& x = *static_cast<const BlockQ6_K*>(block);
    const float d = h2f(x.d);
    for (int h = 0; h < 2; ++h)
        for (int k = 0; k < 4; ++k)
            for (int l = 0; l < 32; ++l) {
                const uint8_t ql = x.ql[64 * h + 32 * (k % 2) + l];
                const int low = k < 2 ? ql & 0x0F : ql >> 4;
                const int top = (x.qh[32 * h + l] >> (2 * k)) & 3;
                q[128 * h + 32 * k + l] = (uint8_t)(low | (top << 4));
            }
    for (int g = 0; g < 16; ++g) dx[g] = d * (float)x.scales[g];
}

// Q3_K: value 128n + 32j + l has two low bits at bit 2j of qs[32n + l] and its third bit at
// bit 4n + j of hmask[l]; weight = d * (sc - 32) * (q - 4).
void unpack_q3_k(const void* block, uint8_t* q, float* dx, float*) {
    const BlockQ3_K& x = *static_cast<const BlockQ3_K*>(block);
    const float d = h2f(x.d);
    for (int n = 0; n < 2; ++n)
        for (int j = 0; j < 4; ++j)
            for (int l = 0; l < 32; ++l) {
                const int low = (x.qs[32 * n + l] >> (2 * j)) & 3;
                const int high = (x.hmask[l] >> (4 * n + j)) & 1;
                q[128 * n + 32 * j + l] = (uint8_t)(low | (high << 2));
            }
    for (int g = 0; g < 16; ++g) dx[g] = d * (float)q3_k_scale(x.scales, g);
}

// Q2_K: two bits per value laid out as Q3_K's low bits; per 16 values a 4-bit scale and min.
void unpack_q2_k(const void* block, uint8_t* q, float* dx, float* mx) {
    const BlockQ2_K& x = *static_cast<const BlockQ2_K*>(block);
    const float d = h2f(x.d), dmin = h2f(x.dmin);
    for (int n = 0; n < 2; ++n)
        for (int j = 0; j < 4; ++j)
            for (int l = 0; l < 32; ++l)
                q[128 * n + 32 * j + l] = (uint8_t)((x.qs[32 * n + l] >> (2 * j)) & 3);
    for (int g = 0; g < 16; ++g) {
        dx[g] = d * (float)(x.scales[g] & 0x0F);
        mx[g] = -(dmin * (float)(x.scales[g] >> 4));
    }
}

constexpr QGemmFormat kFormats[] = {
    {DType::Q4_0, DType::Q8_0, 32, 8, 15, unpack_q4_0},
    {DType::Q5_0, DType::Q8_0, 32, 16, 31, unpack_q5_0},
    {DType::Q4_1, DType::Q8_1, 32, 0, 15, unpack_q4_1},
    {DType::Q5_1, DType::Q8_1, 32, 0, 31, unpack_q5_1},
    {DType::Q8_0, DType::Q8_0, 32, 128, 255, unpack_q8_0},
    {DType::IQ4_NL, DType::Q8_0, 32, 128, 255, unpack_iq4_nl},
    {DType::IQ4_XS, DType::Q8_K, 32, 128, 255, unpack_iq4_xs},
    {DType::Q2_K, DType::Q8_K, 16, 0, 3, unpack_q2_k},
    {DType::Q3_K, DType::Q8_K, 16, 4, 7, unpack_q3_k},
    {DType::Q4_K, DType::Q8_K, 32, 0, 15, unpack_q4_k},
    {DType::Q5_K, DType::Q8_K, 32, 0, 31, unpack_q5_k},
    {DType::Q6_K, DType::Q8_K, 16, 32, 63, unpack_q6_k},
};

// The quants and scale of activation sub-block b of a row quantized as Q8_0, Q8_1 or Q8_K;
// for Q8_1 also its stored d * sum(quants), which the Q4_1/Q5_1 dots use (rounded to fp16).
const int8_t* activation_sub_block(const QGemmFormat& f, const uint8_t* row, int64_t b, float* dy,
                                   float* stored_sy) {
    if (f.activations == DType::Q8_1) {
        const BlockQ8_1& y = reinterpret_cast<const BlockQ8_1*>(row)[b];
        *dy = h2f(y.d);
        *stored_sy = h2f(y.s);
        return y.qs;
    }
    if (f.activations == DType::Q8_0) {
        const BlockQ8_0& y = reinterpret_cast<const BlockQ8_0*>(row)[b];
        *dy = h2f(y.d);
        return y.qs;
    }
    const int64_t per_block = kQKK / f.sub;
    const BlockQ8_K& y = reinterpret_cast<const BlockQ8_K*>(row)[b / per_block];
    *dy = y.d;
    return y.qs + (b % per_block) * f.sub;
}

}  // namespace

const QGemmFormat* qgemm_format(DType weights) {
    for (const QGemmFormat& f : kFormats)
        if (f.weights == weights) return &f;
    return nullptr;
}

void qgemm_pack_x(const QGemmFormat& f, FromFloatFn quantize, const float* x, int64_t ldx,
                  int64_t M, int64_t K, int64_t p0, int64_t p1, uint8_t* xp, uint8_t* tmp) {
    const int64_t L = f.sub, n_sub = K / L, sub_bytes = kQGemmMr * (L + 8);
    for (int64_t p = p0; p < p1; ++p) {
        uint8_t* panel = xp + p * qgemm_panel_bytes(f, K);
        for (int64_t i = 0; i < kQGemmMr; ++i) {
            const int64_t m = p * kQGemmMr + i;
            if (m >= M) {
                for (int64_t b = 0; b < n_sub; ++b) {
                    uint8_t* dst = panel + b * sub_bytes;
                    for (int64_t s = 0; s < L / 4; ++s)
                        std::memset(dst + (s * kQGemmMr + i) * 4, 0, 4);
                    std::memset(dst + L * kQGemmMr + 4 * i, 0, 4);
                    std::memset(dst + L * kQGemmMr + 4 * (kQGemmMr + i), 0, 4);
                }
                continue;
            }
            quantize(x + m * ldx, tmp, K);
            for (int64_t b = 0; b < n_sub; ++b) {
                uint8_t* dst = panel + b * sub_bytes;
                float dy, sy = 0;
                const int8_t* q = activation_sub_block(f, tmp, b, &dy, &sy);
                int32_t sum = 0;
                for (int64_t l = 0; l < L; ++l) sum += q[l];
                for (int64_t s = 0; s < L / 4; ++s)
                    std::memcpy(dst + (s * kQGemmMr + i) * 4, q + 4 * s, 4);
                std::memcpy(dst + L * kQGemmMr + 4 * i, &dy, 4);
                uint8_t* aux = dst + L * kQGemmMr + 4 * (kQGemmMr + i);
                if (f.offset) {
                    const int32_t corr = -f.offset * sum;
                    std::memcpy(aux, &corr, 4);
                } else {
                    if (f.activations != DType::Q8_1) sy = dy * (float)sum;
                    std::memcpy(aux, &sy, 4);
                }
            }
        }
    }
}

namespace {

// The weights a direct packing reads come from memory once per product, in contiguous runs
// (groups, or rows); fetching kPrefetchBytes ahead keeps the packing from waiting on each line (it
// was the hottest instruction of the Q4_K packing).
constexpr size_t kPrefetchBytes = 2048;
inline void prefetch_ahead(const uint8_t* at, size_t n) {
    for (size_t o = 0; o < n; o += 64) __builtin_prefetch(at + kPrefetchBytes + o, 0, 3);
}

// Where tile row r's four bytes sit in each 128-byte step of a tile sub-block: rows 0-15 take
// the first 64 bytes, rows 16-31 the next.
constexpr int64_t tile_lane(int64_t r) {
    return (r / 16) * 64 + (r % 16) * 4;
}

// Calls f(col, r0, blk) for block column blk of each interleaved group (tile rows r0..r0+7) of
// weight rows [n0, n0 + rows), in memory order, fetching ahead.
template <typename F>
void for_each_interleaved_column(DType t, const uint8_t* w, size_t ldw, int64_t n0, int64_t rows,
                                 int64_t K, F&& f) {
    const size_t col_bytes = interleaved_column_bytes(t);
    const int64_t n_blocks = K / type_traits(t).block_size;
    for (int64_t r0 = 0; r0 < rows; r0 += kInterleave) {
        const uint8_t* group = w + (size_t)(n0 + r0) * ldw;
        for (int64_t blk = 0; blk < n_blocks; ++blk) {
            const uint8_t* col = group + (size_t)blk * col_bytes;
            prefetch_ahead(col, col_bytes);
            f(col, r0, blk);
        }
    }
}

// Interleaved Q4_K straight into a tile, as pack_interleaved_direct does Q4_0 and Q8_0: each
// 64-byte step of a block column holds eight quant bytes of each of its eight rows (values 8s to
// 8s + 7 of a chunk's two sub-blocks), split here into the two sub-blocks' nibbles and the two
// tile steps they cover; the scales and mins come from the transposed scale bytes, as
// unpack_q4_k works them out.
void pack_interleaved_q4_k(const uint8_t* w, size_t ldw, int64_t n0, int64_t rows, int64_t K,
                           uint8_t* tile) {
    constexpr int64_t L = 32, kSubs = 8;
    constexpr int64_t sub_bytes = kQGemmNr * L + 256;
    constexpr uint64_t kLow = 0x0F0F0F0F0F0F0F0Full;
    for_each_interleaved_column(
        DType::Q4_K, w, ldw, n0, rows, K, [&](const uint8_t* col, int64_t r0, int64_t blk) {
            uint8_t* dst = tile + blk * kSubs * sub_bytes;
            for (int64_t i = 0; i < kInterleave; ++i) {
                uint16_t dh, mh;
                std::memcpy(&dh, col + 2 * i, 2);
                std::memcpy(&mh, col + 16 + 2 * i, 2);
                const float d = h2f(dh), dmin = h2f(mh);
                uint8_t scales[12];
                for (int64_t b = 0; b < 12; ++b) scales[b] = col[32 + 8 * b + i];
                for (int j = 0; j < kSubs; ++j) {
                    int sc, m;
                    unpack_k_scale_min(j, scales, &sc, &m);
                    const float dx = d * (float)sc, mx = -(dmin * (float)m);
                    std::memcpy(dst + j * sub_bytes + kQGemmNr * L + 4 * (r0 + i), &dx, 4);
                    std::memcpy(dst + j * sub_bytes + kQGemmNr * L + 128 + 4 * (r0 + i), &mx, 4);
                }
            }
            const uint8_t* qs = col + 128;
            for (int64_t c = 0; c < 4; ++c)
                for (int64_t s = 0; s < 4; ++s)
                    for (int64_t i = 0; i < kInterleave; ++i) {
                        uint64_t v;
                        std::memcpy(&v, qs + 64 * (4 * c + s) + 8 * i, 8);
                        const uint64_t nib[2] = {v & kLow, (v >> 4) & kLow};
                        for (int h = 0; h < 2; ++h) {  // sub-blocks 2c and 2c + 1
                            uint8_t* sub = dst + (2 * c + h) * sub_bytes + tile_lane(r0 + i);
                            std::memcpy(sub + (2 * s) * 128, &nib[h], 4);
                            std::memcpy(sub + (2 * s + 1) * 128,
                                        reinterpret_cast<const uint8_t*>(&nib[h]) + 4, 4);
                        }
                    }
        });
}

// Q6_K rows (GGUF's layout; Q6_K does not interleave) straight into a tile, four values at a
// time: their low nibbles and top bits sit in four consecutive ql and qh bytes, combined in one
// 32-bit word, as unpack_q6_k does value by value. (Q6_K holds a Q4_K_M model's V and half its
// down projections; the generic unpack and placement cost 5% of such a prompt.)
void pack_q6_k(const uint8_t* w, size_t ldw, int64_t n0, int64_t rows, int64_t K, uint8_t* tile) {
    constexpr int64_t L = 16, kSubs = kQKK / L;
    constexpr int64_t sub_bytes = kQGemmNr * L + 128;
    for (int64_t r = 0; r < rows; ++r) {
        const BlockQ6_K* blocks = reinterpret_cast<const BlockQ6_K*>(w + (size_t)(n0 + r) * ldw);
        const int64_t lane = tile_lane(r);
        for (int64_t blk = 0; blk < K / kQKK; ++blk) {
            const BlockQ6_K& x = blocks[blk];
            prefetch_ahead(reinterpret_cast<const uint8_t*>(&x), sizeof(BlockQ6_K));
            uint8_t* dst = tile + blk * kSubs * sub_bytes;
            const float d = h2f(x.d);
            for (int64_t g = 0; g < kSubs; ++g) {
                const float dx = d * (float)x.scales[g];
                std::memcpy(dst + g * sub_bytes + kQGemmNr * L + 4 * r, &dx, 4);
            }
            for (int h = 0; h < 2; ++h)
                for (int k = 0; k < 4; ++k)
                    for (int l = 0; l < 32; l += 4) {
                        uint32_t ql, qh;
                        std::memcpy(&ql, x.ql + 64 * h + 32 * (k % 2) + l, 4);
                        std::memcpy(&qh, x.qh + 32 * h + l, 4);
                        const uint32_t low = (k < 2 ? ql : ql >> 4) & 0x0F0F0F0Fu;
                        const uint32_t top = (qh >> (2 * k)) & 0x03030303u;
                        const uint32_t q = low | (top << 4);
                        // Value 128 h + 32 k + l: sub-block 8 h + 2 k + l / 16, step (l % 16) / 4.
                        std::memcpy(
                            dst + (8 * h + 2 * k + l / 16) * sub_bytes + (l % 16) / 4 * 128 + lane,
                            &q, 4);
                    }
        }
    }
}

// Interleaved Q4_0, Q8_0 and Q4_K straight into a tile. Each 32 bytes of an interleaved block
// column hold four quant bytes of each of its eight rows, which is exactly the piece of a tile step
// those rows take (rows r0..r0+7, r0 a multiple of 8, own 32 contiguous bytes of every 128-byte
// step): nibbles are split, or Q8_0's signed bytes shifted, eight bytes at a time, instead of
// reading each block back and placing its values four bytes at a time (which cost a fifth of
// the micro-kernel's time in a Q4_0 prompt).
bool pack_interleaved_direct(const QGemmFormat& f, const uint8_t* w, size_t ldw, int64_t n0,
                             int64_t rows, int64_t K, uint8_t* tile) {
    if (f.weights == DType::Q4_K) {
        pack_interleaved_q4_k(w, ldw, n0, rows, K, tile);
        return true;
    }
    const bool q4 = f.weights == DType::Q4_0;
    if (!q4 && f.weights != DType::Q8_0) return false;
    constexpr int64_t L = 32;  // both: one sub-block per block, offset-coded
    constexpr int64_t sub_bytes = kQGemmNr * L + 128;
    constexpr uint64_t kLow = 0x0F0F0F0F0F0F0F0Full, kSign = 0x8080808080808080ull;
    for_each_interleaved_column(
        f.weights, w, ldw, n0, rows, K, [&](const uint8_t* col, int64_t r0, int64_t blk) {
            const int64_t lane = tile_lane(r0);  // rows r0..r0+7 take 32 contiguous bytes
            const uint8_t* qs = col + 2 * kInterleave;
            uint8_t* dst = tile + blk * sub_bytes;
            for (int64_t i = 0; i < kInterleave; ++i) {
                uint16_t d;
                std::memcpy(&d, col + 2 * i, 2);
                const float dx = h2f(d);
                std::memcpy(dst + kQGemmNr * L + 4 * (r0 + i), &dx, 4);
            }
            for (int64_t s = 0; s < (q4 ? 4 : 8); ++s)
                for (int64_t b = 0; b < 32; b += 8) {
                    uint64_t v;
                    std::memcpy(&v, qs + 32 * s + b, 8);
                    if (q4) {
                        const uint64_t lo = v & kLow, hi = (v >> 4) & kLow;
                        std::memcpy(dst + s * 128 + lane + b, &lo, 8);
                        std::memcpy(dst + (s + 4) * 128 + lane + b, &hi, 8);
                    } else {
                        v ^= kSign;  // q + 128, as unpack_q8_0
                        std::memcpy(dst + s * 128 + lane + b, &v, 8);
                    }
                }
        });
    return true;
}

}  // namespace

void qgemm_pack_w(const QGemmFormat& f, const void* w, size_t ldw, int64_t n0, int64_t N, int64_t K,
                  uint8_t* tile, int interleave) {
    const TypeTraits& tt = type_traits(f.weights);
    const int64_t L = f.sub, bs = tt.block_size, per_block = bs / L;
    const int64_t sub_bytes = kQGemmNr * L + (f.offset ? 128 : 256);
    const int64_t rows = std::min<int64_t>(kQGemmNr, N - n0);
    if (rows < kQGemmNr) std::memset(tile, 0, (size_t)qgemm_tile_bytes(f, K));
    uint8_t q[kQKK];
    float dx[kQKK / 16], mx[kQKK / 16];
    // Places the unpacked block blk (q, dx, mx) of tile row r.
    auto place = [&](int64_t r, int64_t blk) {
        const int64_t lane = tile_lane(r);
        for (int64_t j = 0; j < per_block; ++j) {
            uint8_t* dst = tile + (blk * per_block + j) * sub_bytes;
            for (int64_t s = 0; s < L / 4; ++s)
                std::memcpy(dst + s * 128 + lane, q + j * L + 4 * s, 4);
            std::memcpy(dst + kQGemmNr * L + 4 * r, &dx[j], 4);
            if (!f.offset) std::memcpy(dst + kQGemmNr * L + 128 + 4 * r, &mx[j], 4);
        }
    };
    if (interleave > 1 &&
        pack_interleaved_direct(f, static_cast<const uint8_t*>(w), ldw, n0, rows, K, tile))
        return;
    if (interleave == 1 && f.weights == DType::Q6_K)
        return pack_q6_k(static_cast<const uint8_t*>(w), ldw, n0, rows, K, tile);
    if (interleave > 1) {
        // Whole groups (interleaved matrices have a multiple of eight rows, tiles start at
        // multiples of 32), a block column of eight rows at a time, in memory order.
        const size_t col_bytes = interleaved_column_bytes(f.weights);
        uint8_t blocks[kMaxInterleavedColumnBytes];
        for (int64_t r0 = 0; r0 < rows; r0 += kInterleave) {
            const uint8_t* group = static_cast<const uint8_t*>(w) + (size_t)(n0 + r0) * ldw;
            for (int64_t blk = 0; blk < K / bs; ++blk) {
                deinterleave_column(f.weights, group + (size_t)blk * col_bytes, blocks);
                for (int64_t i = 0; i < kInterleave; ++i) {
                    f.unpack(blocks + i * tt.type_size, q, dx, mx);
                    place(r0 + i, blk);
                }
            }
        }
        return;
    }
    for (int64_t r = 0; r < rows; ++r) {
        const uint8_t* row = static_cast<const uint8_t*>(w) + (size_t)(n0 + r) * ldw;
        for (int64_t blk = 0; blk < K / bs; ++blk) {
            f.unpack(row + blk * tt.type_size, q, dx, mx);
            place(r, blk);
        }
    }
}

int64_t qgemm_tiles_per_chunk(const QGemmFormat& f, int64_t K) {
    constexpr int64_t kChunkBytes = 384 * 1024;
    return std::clamp<int64_t>(kChunkBytes / qgemm_tile_bytes(f, K), 1, 8);
}

}  // namespace lamina
