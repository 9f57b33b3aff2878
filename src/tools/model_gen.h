// Generator of Llama-architecture GGUF models with random weights, for tests and benchmarks
// that need a model of a given size without downloading one.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/types.h"

namespace lamina {

struct ModelShape {
    std::string name;
    int64_t dim = 0;         // embedding length
    int64_t n_layers = 0;    // transformer blocks
    int64_t n_heads = 0;     // query heads
    int64_t n_kv_heads = 0;  // key/value heads (grouped-query attention when < n_heads)
    int64_t ffn_dim = 0;     // feed-forward hidden size
    int64_t vocab_size = 0;
    int64_t context_length = 0;
    float rms_eps = 1e-5f;
    float rope_base = 10000.0f;

    int64_t head_dim() const { return n_heads > 0 ? dim / n_heads : 0; }
    int64_t kv_dim() const { return head_dim() * n_kv_heads; }
    // Number of weights in the model (embeddings, blocks, output).
    int64_t n_params() const;
    // All sizes positive, dim divisible by n_heads, n_heads divisible by n_kv_heads, even head
    // size (RoPE rotates pairs), and small enough to be a sane test model.
    Status validate() const;
};

// "tiny", "fix256", "125m", "tinyllama".
const std::vector<ModelShape>& named_model_shapes();
Expected<ModelShape> find_model_shape(std::string_view name);

using ModelGenProgress =
    std::function<void(size_t done, size_t total, const std::string& tensor_name)>;

// Writes a complete llama-architecture GGUF (metadata llama.cpp expects, tokenizer, tensors) with
// approximately N(0, 0.02) weights in `weight_type` (F32, F16 or BF16; norm weights are F32
// 1 + N(0, 0.1)). Same shape, type and seed give the same file. Tensors are generated one at a time
// while writing, so memory stays at about the largest tensor. The tokenizer comes from
// `vocab_gguf` when given (its tokenizer.* keys are copied; its token count must equal the
// shape's vocab_size), otherwise it is synthesized.
Status write_random_llama(const std::string& path, const ModelShape& shape, DType weight_type,
                          uint64_t seed, const ModelGenProgress& progress = nullptr,
                          const std::string& vocab_gguf = "");

}  // namespace lamina
