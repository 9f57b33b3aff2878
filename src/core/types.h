// DType and the type table: one row per element type with everything the core knows about it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>

namespace lamina {

// Values are GGUF/ggml type ids, so a DType can be written to and read from files as is.
enum class DType : uint32_t {
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q8_1 = 9,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    Q8_K = 15,
    IQ2_XXS = 16,
    IQ2_XS = 17,
    IQ3_XXS = 18,
    IQ1_S = 19,
    IQ4_NL = 20,
    IQ3_S = 21,
    IQ2_S = 22,
    IQ4_XS = 23,
    I8 = 24,
    I16 = 25,
    I32 = 26,
    I64 = 27,
    F64 = 28,
    IQ1_M = 29,
    BF16 = 30,
    TQ1_0 = 34,
    TQ2_0 = 35,
    MXFP4 = 39,
};

// What the core knows about a type: the facts that fix its bytes. How to encode, decode and
// multiply it is the business of the layers above (quant's reference codecs, each backend's
// kernels), which key their own tables by DType and take these facts from here.
struct TypeInfo {
    DType type;
    const char* name;    // as llama.cpp spells it: "F16", "Q4_K", ...
    int64_t block_size;  // elements per block (1 for plain types)
    size_t type_size;    // bytes per block
    bool is_quantized;
};

// One row per type GGUF defines, whether or not lamina can compute it (files holding the others
// can then be listed and rejected by name). Block and byte sizes follow GGUF's definitions.
inline constexpr TypeInfo kTypeInfo[] = {
    {DType::F32, "F32", 1, 4, false},
    {DType::F16, "F16", 1, 2, false},
    {DType::Q4_0, "Q4_0", 32, 18, true},
    {DType::Q4_1, "Q4_1", 32, 20, true},
    {DType::Q5_0, "Q5_0", 32, 22, true},
    {DType::Q5_1, "Q5_1", 32, 24, true},
    {DType::Q8_0, "Q8_0", 32, 34, true},
    {DType::Q8_1, "Q8_1", 32, 36, true},
    {DType::Q2_K, "Q2_K", 256, 84, true},
    {DType::Q3_K, "Q3_K", 256, 110, true},
    {DType::Q4_K, "Q4_K", 256, 144, true},
    {DType::Q5_K, "Q5_K", 256, 176, true},
    {DType::Q6_K, "Q6_K", 256, 210, true},
    {DType::Q8_K, "Q8_K", 256, 292, true},
    {DType::IQ2_XXS, "IQ2_XXS", 256, 66, true},
    {DType::IQ2_XS, "IQ2_XS", 256, 74, true},
    {DType::IQ3_XXS, "IQ3_XXS", 256, 98, true},
    {DType::IQ1_S, "IQ1_S", 256, 50, true},
    {DType::IQ4_NL, "IQ4_NL", 32, 18, true},
    {DType::IQ3_S, "IQ3_S", 256, 110, true},
    {DType::IQ2_S, "IQ2_S", 256, 82, true},
    {DType::IQ4_XS, "IQ4_XS", 256, 136, true},
    {DType::I8, "I8", 1, 1, false},
    {DType::I16, "I16", 1, 2, false},
    {DType::I32, "I32", 1, 4, false},
    {DType::I64, "I64", 1, 8, false},
    {DType::F64, "F64", 1, 8, false},
    {DType::IQ1_M, "IQ1_M", 256, 56, true},
    {DType::BF16, "BF16", 1, 2, false},
    {DType::TQ1_0, "TQ1_0", 256, 54, true},
    {DType::TQ2_0, "TQ2_0", 256, 66, true},
    {DType::MXFP4, "MXFP4", 32, 17, true},
};

// One past the largest type id: the length of any table indexed by type id. Ids below it that
// no row names (31..33, 36..38: types GGUF has retired) are holes.
inline constexpr size_t kTypeIdLimit = [] {
    size_t limit = 0;
    for (const TypeInfo& t : kTypeInfo)
        limit = (size_t)t.type + 1 > limit ? (size_t)t.type + 1 : limit;
    return limit;
}();

namespace detail {
// Row index of each type id in kTypeInfo, -1 for holes.
inline constexpr auto kTypeRowOfId = [] {
    struct Index {
        int rows[kTypeIdLimit];
    } index{};
    for (int& r : index.rows) r = -1;
    for (size_t i = 0; i < std::size(kTypeInfo); ++i)
        index.rows[(size_t)kTypeInfo[i].type] = (int)i;
    return index;
}();

constexpr bool type_rows_are_sound() {
    int rows_seen = 0;
    for (int r : kTypeRowOfId.rows) rows_seen += r >= 0;
    if (rows_seen != (int)std::size(kTypeInfo)) return false;  // an id listed twice
    for (const TypeInfo& t : kTypeInfo) {
        if (t.block_size < 1 || t.type_size < 1 || t.is_quantized != (t.block_size > 1))
            return false;
    }
    return true;
}
static_assert(type_rows_are_sound(),
              "kTypeInfo: each id once, sizes positive, blocks iff quantized");
}  // namespace detail

// nullptr for an id that is not a known type.
constexpr const TypeInfo* find_type_info(uint32_t id) {
    if (id >= kTypeIdLimit || detail::kTypeRowOfId.rows[id] < 0) return nullptr;
    return &kTypeInfo[detail::kTypeRowOfId.rows[id]];
}
// For a DType value known to be valid.
constexpr const TypeInfo& type_info(DType t) {
    return kTypeInfo[detail::kTypeRowOfId.rows[(uint32_t)t]];
}
// nullptr if no type has this name (case-insensitive, "q4_k" == "Q4_K").
const TypeInfo* find_type_by_name(std::string_view name);

constexpr const char* type_name(DType t) {
    return type_info(t).name;
}
constexpr int64_t block_size(DType t) {
    return type_info(t).block_size;
}
// Bytes per block (per element for plain types).
constexpr size_t type_size(DType t) {
    return type_info(t).type_size;
}
// Bytes taken by n elements of type t; n must be a multiple of the block size.
constexpr size_t row_size(DType t, int64_t n) {
    const TypeInfo& ti = type_info(t);
    return (size_t)(n / ti.block_size) * ti.type_size;
}

}  // namespace lamina
