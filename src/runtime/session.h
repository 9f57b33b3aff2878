// Session: a model, its KV cache and a backend; feeds tokens and returns logits.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "backend/backend.h"
#include "model/kv_cache.h"
#include "model/llama_model.h"

namespace lamina {

class Session {
  public:
    // n_ctx 0 means the model's training context. n_batch bounds how many prompt tokens go
    // through one graph (larger prompts are split into several). The first eval stores the
    // model's weights on the backend (LlamaModel::store_weights).
    Session(LlamaModel& model, Backend& backend, int64_t n_ctx = 0, int64_t n_batch = 512);

    // Processes `tokens` after everything already in the cache. Keeps the logits of the last
    // token, or of every token when all_logits is set. Fails (changing nothing) when the tokens
    // do not fit in the remaining context.
    Status eval(std::span<const int32_t> tokens, bool all_logits = false);

    // Logits rows from the last eval: one row (last token) or one per token.
    const float* logits(int64_t row = 0) const { return logits_.data() + row * n_vocab_; }
    int64_t n_logit_rows() const { return n_vocab_ ? (int64_t)logits_.size() / n_vocab_ : 0; }
    int64_t n_vocab() const { return n_vocab_; }
    int64_t n_past() const { return cache_.n_past(); }
    int64_t n_ctx() const { return cache_.n_ctx(); }
    const KvCache& cache() const { return cache_; }
    // Forgets every position after the first n (n <= n_past).
    void truncate(int64_t n) { cache_.set_n_past(std::min(n, cache_.n_past())); }

  private:
    Status eval_batch(std::span<const int32_t> tokens, bool all_logits);

    LlamaModel& model_;
    Backend& backend_;
    bool weights_stored_ = false;
    KvCache cache_;
    int64_t n_batch_;
    int64_t n_vocab_;
    std::vector<float> logits_;
};

}  // namespace lamina
