// GgufValue: one metadata value of a GGUF file (scalar, string or possibly nested array).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lamina {

// GGUF metadata value type ids, as stored in the file.
enum class GgufType : uint32_t {
    UINT8 = 0,
    INT8 = 1,
    UINT16 = 2,
    INT16 = 3,
    UINT32 = 4,
    INT32 = 5,
    FLOAT32 = 6,
    BOOL = 7,
    STRING = 8,
    ARRAY = 9,
    UINT64 = 10,
    INT64 = 11,
    FLOAT64 = 12,
};

const char* gguf_type_name(GgufType t);

// A metadata value. Scalars keep their exact file type; integers are stored widened in
// `i` (signed types) or `u` (unsigned types and bool), floats in `f`. Arrays of numbers are kept
// in the same widened form per element to keep the structure simple; arrays of strings in `strs`;
// arrays of arrays in `items`.
struct GgufValue {
    GgufType type = GgufType::UINT32;
    uint64_t u = 0;
    int64_t i = 0;
    double f = 0.0;
    std::string str;
    // Arrays only:
    GgufType elem_type = GgufType::UINT8;
    std::vector<uint64_t> uints;    // unsigned / bool elements
    std::vector<int64_t> ints;      // signed elements
    std::vector<double> floats;     // float elements
    std::vector<std::string> strs;  // string elements
    std::vector<GgufValue> items;   // nested arrays
    uint64_t array_size() const;

    static GgufValue make_u32(uint32_t v);
    static GgufValue make_i32(int32_t v);
    static GgufValue make_u64(uint64_t v);
    static GgufValue make_f32(float v);
    static GgufValue make_bool(bool v);
    static GgufValue make_string(std::string v);
    static GgufValue make_string_array(std::vector<std::string> v);
    static GgufValue make_f32_array(const std::vector<float>& v);
    static GgufValue make_i32_array(const std::vector<int32_t>& v);
};

struct GgufKv {
    std::string key;
    GgufValue value;
};

}  // namespace lamina
