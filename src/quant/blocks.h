// Byte layouts of the quantized GGUF block formats, exactly as they are stored in files.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/types.h"

namespace lamina::quant {

// Elements per block of the 32-wide ("legacy") formats and of the 256-wide super-blocks.
inline constexpr int kQK = 32;
inline constexpr int kQKK = 256;
// Scale values of a 16- or 32-element sub-block are searched only above this magnitude.
inline constexpr float kGroupMaxEps = 1e-15f;

// Half-precision fields are kept as raw IEEE binary16 bits (uint16_t).

struct BlockQ4_0 {
    uint16_t d;           // scale
    uint8_t qs[kQK / 2];  // element j in the low nibble of qs[j], j+16 in the high nibble
};
struct BlockQ4_1 {
    uint16_t d;  // scale
    uint16_t m;  // min (added)
    uint8_t qs[kQK / 2];
};
struct BlockQ5_0 {
    uint16_t d;
    uint8_t qh[4];  // fifth bit of element j is bit j of this little-endian word
    uint8_t qs[kQK / 2];
};
struct BlockQ5_1 {
    uint16_t d;
    uint16_t m;
    uint8_t qh[4];
    uint8_t qs[kQK / 2];
};
struct BlockQ8_0 {
    uint16_t d;
    int8_t qs[kQK];
};
struct BlockQ8_1 {
    uint16_t d;
    uint16_t s;  // d * sum(qs), used by the Q4_1/Q5_1 dot products for the min term
    int8_t qs[kQK];
};

struct BlockQ2_K {
    uint8_t scales[kQKK / 16];  // per 16 elements: low nibble scale, high nibble min
    uint8_t qs[kQKK / 4];       // 2-bit quants
    uint16_t d;                 // super-block scale of the scales
    uint16_t dmin;              // super-block scale of the mins
};
struct BlockQ3_K {
    uint8_t hmask[kQKK / 8];  // high bit of each quant
    uint8_t qs[kQKK / 4];     // low 2 bits
    uint8_t scales[12];       // sixteen 6-bit scales
    uint16_t d;
};
struct BlockQ4_K {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[12];  // eight 6-bit scales and eight 6-bit mins
    uint8_t qs[kQKK / 2];
};
struct BlockQ5_K {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[12];
    uint8_t qh[kQKK / 8];
    uint8_t qs[kQKK / 2];
};
struct BlockQ6_K {
    uint8_t ql[kQKK / 2];      // low 4 bits
    uint8_t qh[kQKK / 4];      // high 2 bits
    int8_t scales[kQKK / 16];  // signed 8-bit scales
    uint16_t d;
};
struct BlockQ8_K {
    float d;
    int8_t qs[kQKK];
    int16_t bsums[kQKK / 16];  // sum of each 16 quants
};

struct BlockIQ4_NL {
    uint16_t d;
    uint8_t qs[kQK / 2];  // indices into the non-linear table
};
struct BlockIQ4_XS {
    uint16_t d;
    uint16_t scales_h;  // high 2 bits of the eight 6-bit scales
    uint8_t scales_l[kQKK / 64];
    uint8_t qs[kQKK / 2];
};

// Each layout must match the sizes core's type table gives the type (GGUF's definitions).
static_assert(sizeof(BlockQ4_0) == type_size(DType::Q4_0) && kQK == block_size(DType::Q4_0));
static_assert(sizeof(BlockQ4_1) == type_size(DType::Q4_1) && kQK == block_size(DType::Q4_1));
static_assert(sizeof(BlockQ5_0) == type_size(DType::Q5_0) && kQK == block_size(DType::Q5_0));
static_assert(sizeof(BlockQ5_1) == type_size(DType::Q5_1) && kQK == block_size(DType::Q5_1));
static_assert(sizeof(BlockQ8_0) == type_size(DType::Q8_0) && kQK == block_size(DType::Q8_0));
static_assert(sizeof(BlockQ8_1) == type_size(DType::Q8_1) && kQK == block_size(DType::Q8_1));
static_assert(sizeof(BlockQ2_K) == type_size(DType::Q2_K) && kQKK == block_size(DType::Q2_K));
static_assert(sizeof(BlockQ3_K) == type_size(DType::Q3_K) && kQKK == block_size(DType::Q3_K));
static_assert(sizeof(BlockQ4_K) == type_size(DType::Q4_K) && kQKK == block_size(DType::Q4_K));
static_assert(sizeof(BlockQ5_K) == type_size(DType::Q5_K) && kQKK == block_size(DType::Q5_K));
static_assert(sizeof(BlockQ6_K) == type_size(DType::Q6_K) && kQKK == block_size(DType::Q6_K));
static_assert(sizeof(BlockQ8_K) == type_size(DType::Q8_K) && kQKK == block_size(DType::Q8_K));
static_assert(sizeof(BlockIQ4_NL) == type_size(DType::IQ4_NL) && kQK == block_size(DType::IQ4_NL));
static_assert(sizeof(BlockIQ4_XS) == type_size(DType::IQ4_XS) && kQKK == block_size(DType::IQ4_XS));
// Rows are arrays of blocks, read in place from the file mapping.
static_assert(alignof(BlockQ4_0) == 2 && alignof(BlockQ8_K) == 4);

// The twelve scale bytes of Q4_K/Q5_K hold eight 6-bit scales and eight 6-bit mins: entries 0..3
// in the low 6 bits of bytes 0..3 (scales) and 4..7 (mins); entries 4..7 keep their low 4 bits in
// the nibbles of bytes 8..11 and their top 2 bits in the spare top bits of bytes 0..7.
inline void unpack_k_scale_min(int j, const uint8_t* s, int* sc, int* m) {
    if (j < 4) {
        *sc = s[j] & 63;
        *m = s[j + 4] & 63;
    } else {
        *sc = (s[j + 4] & 0x0F) | ((s[j - 4] >> 6) << 4);
        *m = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
    }
}

// All eight scales and mins at once, one byte each (scale j in byte j of *scales), with 32-bit
// word operations on the same layout: what SIMD kernels load as a vector without a loop.
inline void unpack_k_scales_mins8(const uint8_t* s, uint64_t* scales, uint64_t* mins) {
    uint32_t a, b, c;
    __builtin_memcpy(&a, s, 4);
    __builtin_memcpy(&b, s + 4, 4);
    __builtin_memcpy(&c, s + 8, 4);
    const uint32_t sc_lo = a & 0x3f3f3f3fu, m_lo = b & 0x3f3f3f3fu;
    const uint32_t sc_hi = (c & 0x0f0f0f0fu) | (((a >> 6) & 0x03030303u) << 4);
    const uint32_t m_hi = ((c >> 4) & 0x0f0f0f0fu) | (((b >> 6) & 0x03030303u) << 4);
    *scales = (uint64_t)sc_lo | ((uint64_t)sc_hi << 32);
    *mins = (uint64_t)m_lo | ((uint64_t)m_hi << 32);
}

// Q3_K's sixteen 6-bit scales, stored biased by 32: scale g has its low 4 bits in the low (g < 8)
// or high (g >= 8) nibble of scales[g % 8] and its top 2 bits at bit 2*(g/4) of scales[8 + g%4].
inline int q3_k_scale(const uint8_t* s, int g) {
    const int low = g < 8 ? s[g] & 0x0F : s[g - 8] >> 4;
    const int high = (s[8 + g % 4] >> (2 * (g / 4))) & 3;
    return (low | (high << 4)) - 32;
}

// The 16 levels of IQ4_NL / IQ4_XS, in increasing order.
inline constexpr int8_t kIQ4Values[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                          1,    13,   25,  38,  53,  69,  89,  113};

}  // namespace lamina::quant
