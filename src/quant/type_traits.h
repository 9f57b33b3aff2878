// TypeTraits: the core's facts about each type joined with quant's reference codecs for it.
#pragma once

#include <cstdint>

#include "core/types.h"

namespace lamina {

// Converts n elements (a multiple of block_size) of this type to float32.
using ToFloatFn = void (*)(const void* src, float* dst, int64_t n);
// Quantizes / converts n float32 values (a multiple of block_size) into this type.
using FromFloatFn = void (*)(const float* src, void* dst, int64_t n);
// Dot product of n elements: x is of this type, y of the type's vec_dot_type.
using VecDotFn = float (*)(int64_t n, const void* x, const void* y);

// Reference (portable scalar) implementations; nullptr where lamina cannot compute this type
// yet. Backends may install faster equivalents; these remain the definition they are tested
// against.
struct TypeCodecs {
    ToFloatFn to_float = nullptr;
    FromFloatFn from_float = nullptr;
    DType vec_dot_type = DType::F32;  // what activations are converted to before vec_dot
    VecDotFn vec_dot = nullptr;
};

// One row per type: name, block and byte sizes come from core's kTypeInfo, never restated here.
struct TypeTraits : TypeInfo, TypeCodecs {};

// nullptr for an id that is not a known type.
const TypeTraits* find_type_traits(uint32_t id);
// For a DType value known to be valid.
const TypeTraits& type_traits(DType t);

// True when lamina can read this type (to_float exists).
inline bool type_is_supported(DType t) {
    return type_traits(t).to_float != nullptr;
}

}  // namespace lamina
