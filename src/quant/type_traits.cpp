// The TypeTraits table: every row of core's kTypeInfo, with the codecs each quant family adds.
#include "quant/type_traits.h"

#include <array>

#include "quant/quant_families.h"

namespace lamina {
namespace {

struct Table {
    std::array<TypeTraits, kTypeIdLimit> rows{};
    Table() {
        for (const TypeInfo& info : kTypeInfo) {
            // Types without codecs keep nullptr functions; their activation type is only a
            // placeholder (Q8_K for the quantized ones, as for most 256-wide formats).
            TypeCodecs none;
            none.vec_dot_type = info.is_quantized ? DType::Q8_K : info.type;
            rows[(size_t)info.type] = TypeTraits{info, none};
        }
        const quant::AddCodecs add = [this](DType t, const TypeCodecs& c) {
            static_cast<TypeCodecs&>(rows[(size_t)t]) = c;
        };
        quant::register_plain_formats(add);
        quant::register_q8_formats(add);
        quant::register_legacy_formats(add);
        quant::register_k4_formats(add);
        quant::register_k23_formats(add);
        quant::register_iq4_formats(add);
    }
};

const Table& table() {
    static const Table t;
    return t;
}

}  // namespace

const TypeTraits* find_type_traits(uint32_t id) {
    if (!find_type_info(id)) return nullptr;
    return &table().rows[id];
}

const TypeTraits& type_traits(DType type) {
    return table().rows[(size_t)type];
}

}  // namespace lamina
