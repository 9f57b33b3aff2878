#include "core/types.h"

#include <array>
#include <cctype>

#include "core/fp16.h"
#include "quant/quant_formats.h"

namespace lamina {
namespace {

void f32_to_float(const void* src, float* dst, int64_t n) {
    const float* s = static_cast<const float*>(src);
    for (int64_t i = 0; i < n; ++i) dst[i] = s[i];
}
void f32_from_float(const float* src, void* dst, int64_t n) {
    float* d = static_cast<float*>(dst);
    for (int64_t i = 0; i < n; ++i) d[i] = src[i];
}
float f32_vec_dot(int64_t n, const void* x, const void* y) {
    const float* a = static_cast<const float*>(x);
    const float* b = static_cast<const float*>(y);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += (double)a[i] * b[i];
    return (float)sum;
}

void f16_to_float(const void* src, float* dst, int64_t n) {
    const uint16_t* s = static_cast<const uint16_t*>(src);
    for (int64_t i = 0; i < n; ++i) dst[i] = fp16_to_fp32(s[i]);
}
void f16_from_float(const float* src, void* dst, int64_t n) {
    uint16_t* d = static_cast<uint16_t*>(dst);
    for (int64_t i = 0; i < n; ++i) d[i] = fp32_to_fp16(src[i]);
}
// F16 weights against float32 activations: the activations keep their precision.
float f16_vec_dot(int64_t n, const void* x, const void* y) {
    const uint16_t* a = static_cast<const uint16_t*>(x);
    const float* b = static_cast<const float*>(y);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += (double)fp16_to_fp32(a[i]) * b[i];
    return (float)sum;
}

void bf16_to_float(const void* src, float* dst, int64_t n) {
    const uint16_t* s = static_cast<const uint16_t*>(src);
    for (int64_t i = 0; i < n; ++i) dst[i] = bf16_to_fp32(s[i]);
}
void bf16_from_float(const float* src, void* dst, int64_t n) {
    uint16_t* d = static_cast<uint16_t*>(dst);
    for (int64_t i = 0; i < n; ++i) d[i] = fp32_to_bf16(src[i]);
}
float bf16_vec_dot(int64_t n, const void* x, const void* y) {
    const uint16_t* a = static_cast<const uint16_t*>(x);
    const float* b = static_cast<const float*>(y);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += (double)bf16_to_fp32(a[i]) * b[i];
    return (float)sum;
}

void i32_to_float(const void* src, float* dst, int64_t n) {
    const int32_t* s = static_cast<const int32_t*>(src);
    for (int64_t i = 0; i < n; ++i) dst[i] = (float)s[i];
}

constexpr TypeTraits plain(DType t, const char* name, size_t size) {
    return TypeTraits{t, name, 1, size, false, nullptr, nullptr, t, nullptr};
}
constexpr TypeTraits unsupported_quant(DType t, const char* name, int64_t bs, size_t size) {
    return TypeTraits{t, name, bs, size, true, nullptr, nullptr, DType::Q8_K, nullptr};
}

// Indexed by type id. Block sizes and byte sizes follow GGUF's definitions; quantized types
// whose kernels exist point at src/quant/, the others are known (so files holding them can be
// listed and rejected by name) but not computable.
struct Table {
    std::array<TypeTraits, 40> rows{};
    std::array<bool, 40> valid{};
    void set(const TypeTraits& t) {
        rows[(uint32_t)t.type] = t;
        valid[(uint32_t)t.type] = true;
    }
    Table() {
        set({DType::F32, "F32", 1, 4, false, f32_to_float, f32_from_float, DType::F32,
             f32_vec_dot});
        set({DType::F16, "F16", 1, 2, false, f16_to_float, f16_from_float, DType::F32,
             f16_vec_dot});
        set({DType::BF16, "BF16", 1, 2, false, bf16_to_float, bf16_from_float, DType::F32,
             bf16_vec_dot});
        set(plain(DType::I8, "I8", 1));
        set(plain(DType::I16, "I16", 2));
        TypeTraits i32 = plain(DType::I32, "I32", 4);
        i32.to_float = i32_to_float;
        set(i32);
        set(plain(DType::I64, "I64", 8));
        set(plain(DType::F64, "F64", 8));
        set(unsupported_quant(DType::Q4_0, "Q4_0", 32, 18));
        set(unsupported_quant(DType::Q4_1, "Q4_1", 32, 20));
        set(unsupported_quant(DType::Q5_0, "Q5_0", 32, 22));
        set(unsupported_quant(DType::Q5_1, "Q5_1", 32, 24));
        set(unsupported_quant(DType::Q8_0, "Q8_0", 32, 34));
        set(unsupported_quant(DType::Q8_1, "Q8_1", 32, 36));
        set(unsupported_quant(DType::Q2_K, "Q2_K", 256, 84));
        set(unsupported_quant(DType::Q3_K, "Q3_K", 256, 110));
        set(unsupported_quant(DType::Q4_K, "Q4_K", 256, 144));
        set(unsupported_quant(DType::Q5_K, "Q5_K", 256, 176));
        set(unsupported_quant(DType::Q6_K, "Q6_K", 256, 210));
        set(unsupported_quant(DType::Q8_K, "Q8_K", 256, 292));
        set(unsupported_quant(DType::IQ2_XXS, "IQ2_XXS", 256, 66));
        set(unsupported_quant(DType::IQ2_XS, "IQ2_XS", 256, 74));
        set(unsupported_quant(DType::IQ3_XXS, "IQ3_XXS", 256, 98));
        set(unsupported_quant(DType::IQ1_S, "IQ1_S", 256, 50));
        set(unsupported_quant(DType::IQ4_NL, "IQ4_NL", 32, 18));
        set(unsupported_quant(DType::IQ3_S, "IQ3_S", 256, 110));
        set(unsupported_quant(DType::IQ2_S, "IQ2_S", 256, 82));
        set(unsupported_quant(DType::IQ4_XS, "IQ4_XS", 256, 136));
        set(unsupported_quant(DType::IQ1_M, "IQ1_M", 256, 56));
        set(unsupported_quant(DType::TQ1_0, "TQ1_0", 256, 54));
        set(unsupported_quant(DType::TQ2_0, "TQ2_0", 256, 66));
        set(unsupported_quant(DType::MXFP4, "MXFP4", 32, 17));
        register_quant_formats([this](const TypeTraits& t) { set(t); });
    }
};

const Table& table() {
    static const Table t;
    return t;
}

}  // namespace

const TypeTraits* find_type_traits(uint32_t id) {
    const Table& t = table();
    if (id >= t.rows.size() || !t.valid[id]) return nullptr;
    return &t.rows[id];
}

const TypeTraits& type_traits(DType type) {
    return table().rows[(uint32_t)type];
}

const TypeTraits* find_type_by_name(std::string_view name) {
    const Table& t = table();
    for (size_t i = 0; i < t.rows.size(); ++i) {
        if (!t.valid[i]) continue;
        std::string_view n = t.rows[i].name;
        if (n.size() != name.size()) continue;
        bool same = true;
        for (size_t k = 0; k < n.size() && same; ++k)
            same = std::toupper((unsigned char)n[k]) == std::toupper((unsigned char)name[k]);
        if (same) return &t.rows[i];
    }
    return nullptr;
}

}  // namespace lamina
