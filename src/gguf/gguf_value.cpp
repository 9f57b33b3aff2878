#include "gguf/gguf_value.h"

namespace lamina {

const char* gguf_type_name(GgufType t) {
    switch (t) {
        case GgufType::UINT8:
            return "u8";
        case GgufType::INT8:
            return "i8";
        case GgufType::UINT16:
            return "u16";
        case GgufType::INT16:
            return "i16";
        case GgufType::UINT32:
            return "u32";
        case GgufType::INT32:
            return "i32";
        case GgufType::FLOAT32:
            return "f32";
        case GgufType::BOOL:
            return "bool";
        case GgufType::STRING:
            return "str";
        case GgufType::ARRAY:
            return "arr";
        case GgufType::UINT64:
            return "u64";
        case GgufType::INT64:
            return "i64";
        case GgufType::FLOAT64:
            return "f64";
    }
    return "?";
}

uint64_t GgufValue::array_size() const {
    if (type != GgufType::ARRAY) return 0;
    switch (elem_type) {
        case GgufType::STRING:
            return strs.size();
        case GgufType::ARRAY:
            return items.size();
        case GgufType::FLOAT32:
        case GgufType::FLOAT64:
            return floats.size();
        case GgufType::INT8:
        case GgufType::INT16:
        case GgufType::INT32:
        case GgufType::INT64:
            return ints.size();
        default:
            return uints.size();
    }
}

GgufValue GgufValue::make_u32(uint32_t v) {
    GgufValue g;
    g.type = GgufType::UINT32;
    g.u = v;
    return g;
}
GgufValue GgufValue::make_i32(int32_t v) {
    GgufValue g;
    g.type = GgufType::INT32;
    g.i = v;
    return g;
}
GgufValue GgufValue::make_u64(uint64_t v) {
    GgufValue g;
    g.type = GgufType::UINT64;
    g.u = v;
    return g;
}
GgufValue GgufValue::make_f32(float v) {
    GgufValue g;
    g.type = GgufType::FLOAT32;
    g.f = v;
    return g;
}
GgufValue GgufValue::make_bool(bool v) {
    GgufValue g;
    g.type = GgufType::BOOL;
    g.u = v ? 1 : 0;
    return g;
}
GgufValue GgufValue::make_string(std::string v) {
    GgufValue g;
    g.type = GgufType::STRING;
    g.str = std::move(v);
    return g;
}
GgufValue GgufValue::make_string_array(std::vector<std::string> v) {
    GgufValue g;
    g.type = GgufType::ARRAY;
    g.elem_type = GgufType::STRING;
    g.strs = std::move(v);
    return g;
}
GgufValue GgufValue::make_f32_array(const std::vector<float>& v) {
    GgufValue g;
    g.type = GgufType::ARRAY;
    g.elem_type = GgufType::FLOAT32;
    g.floats.assign(v.begin(), v.end());
    return g;
}
GgufValue GgufValue::make_i32_array(const std::vector<int32_t>& v) {
    GgufValue g;
    g.type = GgufType::ARRAY;
    g.elem_type = GgufType::INT32;
    g.ints.assign(v.begin(), v.end());
    return g;
}

}  // namespace lamina
