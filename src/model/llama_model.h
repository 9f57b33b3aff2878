// LlamaModel: hyper-parameters and weights of a Llama-architecture model read from GGUF.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "core/status.h"
#include "core/types.h"
#include "gguf/gguf_reader.h"

namespace lamina {

struct LlamaHParams {
    int64_t n_vocab = 0;
    int64_t n_ctx_train = 0;
    int64_t n_embd = 0;
    int64_t n_layer = 0;
    int64_t n_head = 0;
    int64_t n_head_kv = 0;
    int64_t n_ff = 0;
    int64_t head_dim = 0;
    int64_t n_rot = 0;
    float rms_eps = 1e-5f;
    float rope_freq_base = 10000.0f;

    int64_t kv_dim() const { return head_dim * n_head_kv; }
};

// A weight matrix or vector inside the mapped file.
struct Weight {
    DType type = DType::F32;
    int n_dims = 0;
    int64_t ne[4] = {1, 1, 1, 1};
    const void* data = nullptr;
    size_t nbytes = 0;
    // What the backend that stored the weight left for graph leaves (Backend::store_weight);
    // null until then, and for weights kept in GGUF's layout.
    const void* backend_record = nullptr;
};

struct LlamaLayer {
    Weight attn_norm, wq, wk, wv, wo;
    Weight ffn_norm, ffn_gate, ffn_up, ffn_down;
};

class LlamaModel {
  public:
    // progress(done, total) is called while the weights are read or paged in. mode: see
    // LoadMode (by default the file is read into 2 MiB pages when it fits easily in memory).
    using Progress = std::function<void(size_t done, size_t total)>;
    static Expected<std::unique_ptr<LlamaModel>> load(const std::string& path,
                                                      const Progress& progress = nullptr,
                                                      LoadMode mode = LoadMode::Auto);

    const LlamaHParams& hparams() const { return hp_; }
    const GgufReader& gguf() const { return *gguf_; }
    const std::string& name() const { return name_; }

    // Hands every weight to the backend (Backend::store_weight), which may rearrange the bytes
    // of a model read into memory; a mapped file's stay as they are. The weights' data and
    // records then say how graphs must refer to them. Storing again, on another backend of the
    // same kind, changes nothing; a Session stores the model on its backend when it starts.
    Status store_weights(Backend& backend);

    Weight tok_embd, output_norm, output;
    std::vector<LlamaLayer> layers;

    size_t weight_bytes() const { return weight_bytes_; }
    int64_t n_params() const { return n_params_; }
    // The most common weight type among the matrices ("Q4_K" for a Q4_K_M file, say).
    DType main_type() const { return main_type_; }

  private:
    LlamaModel() = default;
    std::unique_ptr<GgufReader> gguf_;
    LlamaHParams hp_;
    std::string name_;
    size_t weight_bytes_ = 0;
    int64_t n_params_ = 0;
    DType main_type_ = DType::F32;
    friend class LlamaLoader;
};

}  // namespace lamina
