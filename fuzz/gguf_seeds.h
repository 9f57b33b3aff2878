// Seed inputs shared by the GGUF harnesses: a complete micro Llama model (metadata, tokenizer,
// tensors) and a file holding every metadata type, both small enough to mutate quickly.
#pragma once

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/fuzz_target.h"
#include "gguf/gguf_writer.h"
#include "tools/model_gen.h"

namespace lamina::fuzz {

inline Input read_file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return Input(std::istreambuf_iterator<char>(in), {});
}

// A one-block Llama with a 260-token synthesized vocabulary, in `type` (F32, F16 or BF16).
inline Input micro_model(DType type) {
    ModelShape shape;
    shape.name = "micro";
    shape.dim = 16;
    shape.n_layers = 1;
    shape.n_heads = 2;
    shape.n_kv_heads = 1;
    shape.ffn_dim = 32;
    shape.vocab_size = 260;
    shape.context_length = 32;
    ScratchDir dir;
    const std::string path = dir.file("micro.gguf");
    const Status s = write_random_llama(path, shape, type, 7);
    LAMINA_FUZZ_CHECK(s.is_ok(), s.message());
    return read_file_bytes(path);
}

// Every scalar type, a string, arrays of numbers, of strings and of arrays, an explicit
// alignment, and tensors of a plain, a half and a block-quantized type.
inline Input every_type_file() {
    GgufWriter w;
    w.set("general.architecture", GgufValue::make_string("llama"));
    GgufValue v;
    const GgufType scalars[] = {GgufType::UINT8,   GgufType::INT8,   GgufType::UINT16,
                                GgufType::INT16,   GgufType::UINT32, GgufType::INT32,
                                GgufType::UINT64,  GgufType::INT64,  GgufType::FLOAT32,
                                GgufType::FLOAT64, GgufType::BOOL};
    for (GgufType t : scalars) {
        v = GgufValue();
        v.type = t;
        v.u = 1;
        v.i = -1;
        v.f = 0.5;
        w.set(std::string("test.") + gguf_type_name(t), v);
    }
    w.set("test.strs", GgufValue::make_string_array({"a", "", "\xe2\x96\x81x"}));
    w.set("test.f32s", GgufValue::make_f32_array({1.0f, -2.0f}));
    w.set("test.i32s", GgufValue::make_i32_array({3, -4}));
    GgufValue nested;
    nested.type = GgufType::ARRAY;
    nested.elem_type = GgufType::ARRAY;
    nested.items = {GgufValue::make_i32_array({1}), GgufValue::make_i32_array({})};
    w.set("test.nested", nested);
    w.set_alignment(64);
    static const uint8_t zeros[4096] = {};
    w.add_tensor("a", DType::F32, {8, 2}, zeros);
    w.add_tensor("b", DType::F16, {16}, zeros);
    w.add_tensor("c", DType::Q4_0, {32, 2}, zeros);
    ScratchDir dir;
    const std::string path = dir.file("types.gguf");
    const Status s = w.write(path);
    LAMINA_FUZZ_CHECK(s.is_ok(), s.message());
    return read_file_bytes(path);
}

}  // namespace lamina::fuzz
