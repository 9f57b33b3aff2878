#include "tools/model_gen.h"

#include <memory>

#include "core/rng.h"
#include "gguf/gguf_reader.h"
#include "gguf/gguf_writer.h"
#include "tools/random_weights.h"
#include "tools/synthetic_vocab.h"

namespace lamina {
namespace {

constexpr float kWeightStd = 0.02f;
// Norm weights are 1 + N(0, 0.1), like the shared fixture, so a mixed-up or skipped norm shows.
constexpr float kNormStd = 0.1f;

// llama.cpp's general.file_type values (LLAMA_FTYPE_ALL_F32, MOSTLY_F16, MOSTLY_BF16).
uint32_t file_type_of(DType t) {
    switch (t) {
        case DType::F16:
            return 1;
        case DType::BF16:
            return 32;
        default:
            return 0;
    }
}

ModelShape make_shape(const char* name, int64_t dim, int64_t layers, int64_t heads,
                      int64_t kv_heads, int64_t ffn, int64_t vocab, int64_t ctx) {
    ModelShape s;
    s.name = name;
    s.dim = dim;
    s.n_layers = layers;
    s.n_heads = heads;
    s.n_kv_heads = kv_heads;
    s.ffn_dim = ffn;
    s.vocab_size = vocab;
    s.context_length = ctx;
    return s;
}

}  // namespace

int64_t ModelShape::n_params() const {
    const int64_t per_block = 2 * dim + dim * dim * 2 + dim * kv_dim() * 2 + 3 * dim * ffn_dim;
    return 2 * vocab_size * dim + dim + n_layers * per_block;
}

Status ModelShape::validate() const {
    const std::string what = "model shape '" + name + "': ";
    constexpr int64_t kMaxSize = 1 << 20;
    for (int64_t v : {dim, n_layers, n_heads, n_kv_heads, ffn_dim, vocab_size, context_length}) {
        if (v <= 0 || v > kMaxSize) {
            return Status::error(what + "every size must be in [1, " + std::to_string(kMaxSize) +
                                 "]");
        }
    }
    if (dim % n_heads != 0) return Status::error(what + "dim is not a multiple of n_heads");
    if (n_heads % n_kv_heads != 0) {
        return Status::error(what + "n_heads is not a multiple of n_kv_heads");
    }
    if (head_dim() % 2 != 0) return Status::error(what + "head size must be even for RoPE");
    if (n_params() > (int64_t)1 << 36) return Status::error(what + "too many parameters");
    return Status::ok();
}

const std::vector<ModelShape>& named_model_shapes() {
    static const std::vector<ModelShape> shapes = {
        make_shape("tiny", 64, 2, 4, 2, 192, 512, 256),
        make_shape("fix256", 256, 2, 8, 4, 768, 32000, 512),
        make_shape("125m", 768, 12, 12, 12, 2048, 32000, 2048),
        make_shape("tinyllama", 2048, 22, 32, 4, 5632, 32000, 2048),
    };
    return shapes;
}

Expected<ModelShape> find_model_shape(std::string_view name) {
    std::string known;
    for (const ModelShape& s : named_model_shapes()) {
        if (s.name == name) return s;
        known += (known.empty() ? "" : ", ") + s.name;
    }
    return Status::error("unknown model shape '" + std::string(name) + "' (known: " + known + ")");
}

Status write_random_llama(const std::string& path, const ModelShape& shape, DType weight_type,
                          uint64_t seed, const ModelGenProgress& progress,
                          const std::string& vocab_gguf) {
    if (Status s = shape.validate(); !s) return s;
    if (weight_type != DType::F32 && weight_type != DType::F16 && weight_type != DType::BF16) {
        return Status::error(std::string("generated weights must be f32, f16 or bf16, not ") +
                             type_name(weight_type) + " (quantize the result instead)");
    }

    GgufWriter w;
    const auto u32 = [](int64_t v) { return GgufValue::make_u32((uint32_t)v); };
    w.set("general.architecture", GgufValue::make_string("llama"));
    w.set("general.name", GgufValue::make_string("lamina-random-" + shape.name));
    w.set("general.file_type", GgufValue::make_u32(file_type_of(weight_type)));
    w.set("llama.context_length", u32(shape.context_length));
    w.set("llama.embedding_length", u32(shape.dim));
    w.set("llama.block_count", u32(shape.n_layers));
    w.set("llama.feed_forward_length", u32(shape.ffn_dim));
    w.set("llama.attention.head_count", u32(shape.n_heads));
    w.set("llama.attention.head_count_kv", u32(shape.n_kv_heads));
    w.set("llama.attention.layer_norm_rms_epsilon", GgufValue::make_f32(shape.rms_eps));
    w.set("llama.rope.freq_base", GgufValue::make_f32(shape.rope_base));
    w.set("llama.rope.dimension_count", u32(shape.head_dim()));
    w.set("llama.vocab_size", u32(shape.vocab_size));

    if (!vocab_gguf.empty()) {
        Expected<std::unique_ptr<GgufReader>> vocab = GgufReader::open(vocab_gguf);
        if (!vocab) return vocab.status();
        if (Status s = copy_tokenizer_keys(**vocab, shape.vocab_size, w); !s) return s;
    } else {
        Expected<SpmVocab> vocab = synthesize_spm_vocab(shape.vocab_size);
        if (!vocab) return vocab.status();
        set_spm_vocab_keys(w, *vocab);
    }

    // Each tensor's values come from its own seed, derived from the model seed and its name, so
    // generation order and threading never change the file.
    const auto add = [&](const std::string& name, DType type, std::vector<int64_t> ne, float mean,
                         float stddev) {
        int64_t n = 1;
        for (int64_t d : ne) n *= d;
        const uint64_t tensor_seed = mix_seed(seed, name_hash(name.data(), name.size()));
        w.add_tensor(name, type, ne, [=](uint8_t* dst, size_t nbytes) -> Status {
            if (nbytes != row_size(type, n)) {
                return Status::error(name + ": writer asked for " + std::to_string(nbytes) +
                                     " bytes, expected " + std::to_string(row_size(type, n)));
            }
            return fill_random_normal(dst, type, n, tensor_seed, mean, stddev);
        });
    };
    const int64_t dim = shape.dim, ffn = shape.ffn_dim, kv = shape.kv_dim();
    add("token_embd.weight", weight_type, {dim, shape.vocab_size}, 0.0f, kWeightStd);
    for (int64_t b = 0; b < shape.n_layers; ++b) {
        const std::string p = "blk." + std::to_string(b) + ".";
        add(p + "attn_norm.weight", DType::F32, {dim}, 1.0f, kNormStd);
        add(p + "attn_q.weight", weight_type, {dim, dim}, 0.0f, kWeightStd);
        add(p + "attn_k.weight", weight_type, {dim, kv}, 0.0f, kWeightStd);
        add(p + "attn_v.weight", weight_type, {dim, kv}, 0.0f, kWeightStd);
        add(p + "attn_output.weight", weight_type, {dim, dim}, 0.0f, kWeightStd);
        add(p + "ffn_norm.weight", DType::F32, {dim}, 1.0f, kNormStd);
        add(p + "ffn_gate.weight", weight_type, {dim, ffn}, 0.0f, kWeightStd);
        add(p + "ffn_up.weight", weight_type, {dim, ffn}, 0.0f, kWeightStd);
        add(p + "ffn_down.weight", weight_type, {ffn, dim}, 0.0f, kWeightStd);
    }
    add("output_norm.weight", DType::F32, {dim}, 1.0f, kNormStd);
    add("output.weight", weight_type, {dim, shape.vocab_size}, 0.0f, kWeightStd);

    return w.write(path, progress);
}

}  // namespace lamina
