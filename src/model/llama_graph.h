// The Llama forward pass written as a compute graph: one function per block, named after the math.
#pragma once

#include "core/graph.h"
#include "model/kv_cache.h"
#include "model/llama_model.h"

namespace lamina {

struct LlamaGraphInputs {
    Tensor* tokens = nullptr;     // I32 [n_tokens]
    Tensor* positions = nullptr;  // I32 [n_tokens]
    Tensor* logits = nullptr;     // F32 [n_vocab, n_out]
};

// Builds the graph that processes n_tokens new tokens after the cache's n_past positions,
// writing their keys and values into the cache. With all_logits every position gets a logits
// row; otherwise only the last one.
LlamaGraphInputs build_llama_graph(Graph& g, const LlamaModel& model, KvCache& cache,
                                   int64_t n_tokens, bool all_logits);

}  // namespace lamina
