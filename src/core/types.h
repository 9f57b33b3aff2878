// DType and the type-traits table: the single place a tensor element type is described.
#pragma once

#include <cstddef>
#include <cstdint>
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

// Converts n elements (a multiple of block_size) of this type to float32.
using ToFloatFn = void (*)(const void* src, float* dst, int64_t n);
// Quantizes / converts n float32 values (a multiple of block_size) into this type.
using FromFloatFn = void (*)(const float* src, void* dst, int64_t n);
// Dot product of n elements: x is of this type, y of the type's vec_dot_type.
using VecDotFn = float (*)(int64_t n, const void* x, const void* y);

struct TypeTraits {
    DType type;
    const char* name;    // as llama.cpp spells it: "F16", "Q4_K", ...
    int64_t block_size;  // elements per block (1 for plain types)
    size_t type_size;    // bytes per block
    bool is_quantized;
    // Reference (portable scalar) implementations; nullptr where lamina cannot compute this type
    // yet. Backends may install faster equivalents; these remain the definition they are tested
    // against.
    ToFloatFn to_float;
    FromFloatFn from_float;
    DType vec_dot_type;  // what activations are converted to before vec_dot
    VecDotFn vec_dot;
};

// nullptr for an id that is not a known type.
const TypeTraits* find_type_traits(uint32_t id);
// For a DType value known to be valid.
const TypeTraits& type_traits(DType t);
// nullptr if no type has this name (case-insensitive, "q4_k" == "Q4_K").
const TypeTraits* find_type_by_name(std::string_view name);

inline const char* type_name(DType t) {
    return type_traits(t).name;
}
inline int64_t block_size(DType t) {
    return type_traits(t).block_size;
}
// Bytes taken by n elements of type t; n must be a multiple of the block size.
inline size_t row_size(DType t, int64_t n) {
    const TypeTraits& tt = type_traits(t);
    return (size_t)(n / tt.block_size) * tt.type_size;
}
// True when lamina can read this type (to_float exists).
inline bool type_is_supported(DType t) {
    return type_traits(t).to_float != nullptr;
}

}  // namespace lamina
