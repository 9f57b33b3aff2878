#include "runtime/session.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/graph.h"
#include "model/llama_graph.h"

namespace lamina {

Session::Session(LlamaModel& model, Backend& backend, int64_t n_ctx, int64_t n_batch)
    : model_(model),
      backend_(backend),
      cache_(model.hparams().n_layer, model.hparams().head_dim, model.hparams().n_head_kv,
             n_ctx > 0 ? n_ctx : model.hparams().n_ctx_train),
      n_batch_(std::max<int64_t>(1, n_batch)),
      n_vocab_(model.hparams().n_vocab) {}

Status Session::eval(std::span<const int32_t> tokens, bool all_logits) {
    if (tokens.empty()) return Status::error("nothing to evaluate: no tokens");
    if (!weights_stored_) {
        if (Status s = model_.store_weights(backend_); !s) return s;
        weights_stored_ = true;
    }
    if (n_past() + (int64_t)tokens.size() > n_ctx()) {
        return Status::error("context full: " + std::to_string(n_past()) + " + " +
                             std::to_string(tokens.size()) + " tokens exceed the context of " +
                             std::to_string(n_ctx()) + " (use -c to enlarge it)");
    }
    for (int32_t t : tokens) {
        if (t < 0 || t >= n_vocab_)
            return Status::error("token id " + std::to_string(t) + " is outside the vocabulary");
    }
    std::vector<float> all;
    for (size_t i = 0; i < tokens.size(); i += (size_t)n_batch_) {
        const size_t n = std::min(tokens.size() - i, (size_t)n_batch_);
        if (Status s = eval_batch(tokens.subspan(i, n), all_logits); !s) return s;
        if (all_logits) all.insert(all.end(), logits_.begin(), logits_.end());
    }
    if (all_logits) logits_ = std::move(all);
    return Status::ok();
}

Status Session::eval_batch(std::span<const int32_t> tokens, bool all_logits) {
    const int64_t n = (int64_t)tokens.size();
    Graph g;
    LlamaGraphInputs io = build_llama_graph(g, model_, cache_, n, all_logits);
    if (Status s = backend_.allocate(g); !s) return s;
    std::memcpy(io.tokens->data, tokens.data(), (size_t)n * sizeof(int32_t));
    int32_t* pos = static_cast<int32_t*>(io.positions->data);
    for (int64_t i = 0; i < n; ++i) pos[i] = (int32_t)(n_past() + i);
    if (Status s = backend_.compute(g); !s) return s;
    cache_.set_n_past(n_past() + n);
    const float* out = static_cast<const float*>(io.logits->data);
    logits_.assign(out, out + io.logits->n_elements());
    return Status::ok();
}

}  // namespace lamina
