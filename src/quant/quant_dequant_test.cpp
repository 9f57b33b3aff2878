// Dequantization of every format against an independent per-element decoder written here from
// the GGUF format description: raw byte offsets, no block structs, no helpers of src/quant/.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/types.h"
#include "quant/quant_test_support.h"

namespace lamina {
namespace {

// binary16 -> float by definition: (-1)^s * 2^(e-15) * 1.m, subnormals 2^-14 * 0.m.
float half_value(const uint8_t* p) {
    const int h = p[0] | (p[1] << 8);
    const int sign = h >> 15, exp = (h >> 10) & 31, mant = h & 1023;
    const float mag =
        exp == 0 ? std::ldexp((float)mant, -24) : std::ldexp((float)(1024 + mant), exp - 25);
    return sign ? -mag : mag;
}
int u16(const uint8_t* p) {
    return p[0] | (p[1] << 8);
}
uint32_t u32(const uint8_t* p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
int s8(uint8_t b) {
    return b < 128 ? b : b - 256;
}
// Nibble j of a 32-element group of 16 bytes: low nibbles are elements 0..15, high 16..31.
int nibble32(const uint8_t* qs, int j) {
    return j < 16 ? qs[j] & 15 : qs[j - 16] >> 4;
}
// Scale/min pair j (0..7) of the 12-byte Q4_K/Q5_K scale field.
void k4_scale_min(const uint8_t* s, int j, int* sc, int* m) {
    if (j < 4) {
        *sc = s[j] % 64;
        *m = s[4 + j] % 64;
    } else {
        *sc = (s[8 + j - 4] % 16) + 16 * (s[j - 4] / 64);
        *m = (s[8 + j - 4] / 16) + 16 * (s[j] / 64);
    }
}
const int kIq4[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

// Value of element e of the block at b.
float ref_element(DType t, const uint8_t* b, int e) {
    switch (t) {
        case DType::Q4_0:
            return (nibble32(b + 2, e) - 8) * half_value(b);
        case DType::Q4_1:
            return nibble32(b + 4, e) * half_value(b) + half_value(b + 2);
        case DType::Q5_0: {
            const int q = nibble32(b + 6, e) + 16 * ((u32(b + 2) >> e) & 1);
            return (q - 16) * half_value(b);
        }
        case DType::Q5_1: {
            const int q = nibble32(b + 8, e) + 16 * ((u32(b + 4) >> e) & 1);
            return q * half_value(b) + half_value(b + 2);
        }
        case DType::Q8_0:
            return s8(b[2 + e]) * half_value(b);
        case DType::Q8_1:
            return s8(b[4 + e]) * half_value(b);
        case DType::Q2_K: {
            const int sc = b[e / 16];
            const int q = (b[16 + 32 * (e / 128) + e % 32] >> (2 * ((e / 32) % 4))) & 3;
            return half_value(b + 80) * (sc % 16) * q - half_value(b + 82) * (sc / 16);
        }
        case DType::Q3_K: {
            const int g = e / 16;
            const uint8_t* sb = b + 96;
            const int low4 = g < 8 ? sb[g] % 16 : sb[g - 8] / 16;
            const int high2 = (sb[8 + g % 4] >> (2 * (g / 4))) & 3;
            const int sc = low4 + 16 * high2 - 32;
            const int q2 = (b[32 + 32 * (e / 128) + e % 32] >> (2 * ((e / 32) % 4))) & 3;
            const int hbit = (b[e % 32] >> (e / 32)) & 1;
            return half_value(b + 108) * sc * (q2 + 4 * hbit - 4);
        }
        case DType::Q4_K: {
            int sc, m;
            k4_scale_min(b + 4, e / 32, &sc, &m);
            const uint8_t byte = b[16 + 32 * (e / 64) + e % 32];
            const int q = (e / 32) % 2 ? byte / 16 : byte % 16;
            return half_value(b) * sc * q - half_value(b + 2) * m;
        }
        case DType::Q5_K: {
            int sc, m;
            k4_scale_min(b + 4, e / 32, &sc, &m);
            const uint8_t byte = b[48 + 32 * (e / 64) + e % 32];
            const int q =
                ((e / 32) % 2 ? byte / 16 : byte % 16) + 16 * ((b[16 + e % 32] >> (e / 32)) & 1);
            return half_value(b) * sc * q - half_value(b + 2) * m;
        }
        case DType::Q6_K: {
            const int half = e / 128, r = e % 128;  // r/32 picks which of 4 element groups
            const uint8_t lbyte = b[64 * half + (r % 64)];
            const int low4 = r < 64 ? lbyte % 16 : lbyte / 16;
            const int high2 = (b[128 + 32 * half + r % 32] >> (2 * (r / 32))) & 3;
            return half_value(b + 208) * s8(b[192 + e / 16]) * (low4 + 16 * high2 - 32);
        }
        case DType::Q8_K: {
            float d;
            std::memcpy(&d, b, 4);
            return d * s8(b[4 + e]);
        }
        case DType::IQ4_NL:
            return half_value(b) * kIq4[nibble32(b + 2, e)];
        case DType::IQ4_XS: {
            const int ib = e / 32;
            const int ls =
                ((b[4 + ib / 2] >> (4 * (ib % 2))) & 15) + 16 * ((u16(b + 2) >> (2 * ib)) & 3);
            return half_value(b) * (ls - 32) * kIq4[nibble32(b + 8 + 16 * ib, e % 32)];
        }
        default:
            return NAN;
    }
}

// Offsets of the fp16 scale fields of a block (random bytes there would often be inf/NaN).
std::vector<int> half_fields(DType t) {
    switch (t) {
        case DType::Q4_0:
        case DType::Q8_0:
        case DType::IQ4_NL:
        case DType::IQ4_XS:
            return {0};
        case DType::Q4_1:
        case DType::Q5_1:
        case DType::Q8_1:
        case DType::Q4_K:
        case DType::Q5_K:
            return {0, 2};
        case DType::Q5_0:
            return {0};
        case DType::Q2_K:
            return {80, 82};
        case DType::Q3_K:
            return {108};
        case DType::Q6_K:
            return {208};
        default:
            return {};
    }
}

// Finite halves: random ones plus the extremes (largest, smallest normal/subnormal, zeros).
uint16_t pick_half(std::mt19937& rng, int block) {
    static const uint16_t extremes[] = {0x7BFF, 0xFBFF, 0x0400, 0x8400, 0x0001,
                                        0x8001, 0x0000, 0x8000, 0x3C00, 0x03FF};
    if (block % 3 == 1) return extremes[(block / 3) % 10];
    uint16_t h;
    do h = (uint16_t)rng();
    while (((h >> 10) & 31) == 31);
    return h;
}

void fill_block(DType t, uint8_t* b, size_t size, std::mt19937& rng, int block) {
    if (block % 7 == 3) {  // all-zero block
        std::memset(b, 0, size);
        return;
    }
    for (size_t i = 0; i < size; ++i) b[i] = (uint8_t)rng();
    if (t == DType::Q8_K) {
        static const float extremes[] = {3.4e38f, -1e-40f, 1e-30f, -0.0f, 1.0f};
        float d = block % 3 == 1
                      ? extremes[(block / 3) % 5]
                      : std::ldexp((float)(int)(rng() % 2001) - 1000, (int)(rng() % 40) - 30);
        std::memcpy(b, &d, 4);
        return;
    }
    for (int off : half_fields(t)) {
        const uint16_t h = pick_half(rng, block + off);
        b[off] = (uint8_t)h;
        b[off + 1] = (uint8_t)(h >> 8);
    }
}

class DequantizeTest : public ::testing::TestWithParam<DType> {};

TEST_P(DequantizeTest, MatchesIndependentDecoderBitForBit) {
    const DType t = GetParam();
    const TypeTraits& tt = type_traits(t);
    ASSERT_NE(tt.to_float, nullptr);
    const int bs = (int)tt.block_size;
    const int n_blocks = 97;
    std::mt19937 rng(1234 + (uint32_t)t);
    std::vector<uint8_t> data(tt.type_size * n_blocks);
    for (int i = 0; i < n_blocks; ++i) fill_block(t, &data[tt.type_size * i], tt.type_size, rng, i);
    std::vector<float> out((size_t)bs * n_blocks);
    tt.to_float(data.data(), out.data(), (int64_t)out.size());
    int mismatches = 0;
    for (int i = 0; i < n_blocks; ++i) {
        for (int e = 0; e < bs; ++e) {
            const float want = ref_element(t, &data[tt.type_size * i], e);
            const float got = out[(size_t)bs * i + e];
            if (std::memcmp(&want, &got, 4) != 0 && ++mismatches <= 5) {
                ADD_FAILURE() << tt.name << " block " << i << " element " << e << ": got " << got
                              << ", want " << want;
            }
        }
    }
    EXPECT_EQ(mismatches, 0);
}

TEST_P(DequantizeTest, ZeroBlocksGiveZeros) {
    const TypeTraits& tt = type_traits(GetParam());
    std::vector<uint8_t> data(tt.type_size * 3, 0);
    std::vector<float> out((size_t)tt.block_size * 3, 1.0f);
    tt.to_float(data.data(), out.data(), (int64_t)out.size());
    for (float v : out) ASSERT_EQ(v, 0.0f);
}

INSTANTIATE_TEST_SUITE_P(AllQuantTypes, DequantizeTest,
                         ::testing::ValuesIn(quant_test::quant_types()),
                         [](const auto& info) { return std::string(type_name(info.param)); });

// The table entries match GGUF's block geometry and llama.cpp's activation pairing.
TEST(QuantTraitsTest, GeometryAndPairing) {
    struct Row {
        DType t;
        int64_t block;
        size_t size;
        DType dot;
    };
    const Row rows[] = {
        {DType::Q4_0, 32, 18, DType::Q8_0},   {DType::Q4_1, 32, 20, DType::Q8_1},
        {DType::Q5_0, 32, 22, DType::Q8_0},   {DType::Q5_1, 32, 24, DType::Q8_1},
        {DType::Q8_0, 32, 34, DType::Q8_0},   {DType::Q8_1, 32, 36, DType::Q8_1},
        {DType::Q2_K, 256, 84, DType::Q8_K},  {DType::Q3_K, 256, 110, DType::Q8_K},
        {DType::Q4_K, 256, 144, DType::Q8_K}, {DType::Q5_K, 256, 176, DType::Q8_K},
        {DType::Q6_K, 256, 210, DType::Q8_K}, {DType::Q8_K, 256, 292, DType::Q8_K},
        {DType::IQ4_NL, 32, 18, DType::Q8_0}, {DType::IQ4_XS, 256, 136, DType::Q8_K},
    };
    for (const Row& r : rows) {
        const TypeTraits* tt = find_type_traits((uint32_t)r.t);
        ASSERT_NE(tt, nullptr);
        EXPECT_EQ(tt->block_size, r.block) << tt->name;
        EXPECT_EQ(tt->type_size, r.size) << tt->name;
        EXPECT_TRUE(tt->is_quantized) << tt->name;
        EXPECT_EQ(tt->vec_dot_type, r.dot) << tt->name;
        EXPECT_NE(tt->to_float, nullptr) << tt->name;
        EXPECT_NE(tt->from_float, nullptr) << tt->name;
        EXPECT_NE(tt->vec_dot, nullptr) << tt->name;
        EXPECT_EQ(find_type_by_name(tt->name), &type_info(tt->type));
    }
}

}  // namespace
}  // namespace lamina
