#include "sampling/sampler.h"

namespace lamina {

Sampler::Sampler(const SamplerParams& params) : params_(params), rng_(params.seed) {}

bool Sampler::penalties_active() const {
    return params_.repeat_last_n != 0 &&
           (params_.repeat_penalty != 1.0f || params_.frequency_penalty != 0.0f ||
            params_.presence_penalty != 0.0f);
}

TokenId Sampler::sample(const float* logits, int n_vocab) {
    if (n_vocab <= 0) return -1;
    const float* row = logits;
    if (penalties_active() && !recent_.empty()) {
        // Penalties touch at most repeat_last_n tokens, but the caller's row is const: work on a
        // copy (cheap next to the forward pass that produced it).
        penalized_.assign(logits, logits + n_vocab);
        window_.assign(recent_.begin(), recent_.end());
        apply_penalties(penalized_.data(), n_vocab, window_, params_.repeat_penalty,
                        params_.frequency_penalty, params_.presence_penalty);
        row = penalized_.data();
    }
    if (params_.temp <= 0.0f) return argmax_logits(row, n_vocab);
    if (params_.top_k > 0 && params_.top_k < n_vocab) {
        select_top_k(candidates_, row, n_vocab, params_.top_k);
    } else {
        init_candidates(candidates_, row, n_vocab);
    }
    apply_top_p(candidates_, params_.top_p);
    apply_min_p(candidates_, params_.min_p);
    apply_temperature(candidates_, params_.temp);
    return pick_with_uniform(candidates_, rng_.next_double());
}

void Sampler::accept(TokenId id) {
    if (params_.repeat_last_n == 0) return;
    recent_.push_back(id);
    if (params_.repeat_last_n > 0 && recent_.size() > (size_t)params_.repeat_last_n) {
        recent_.pop_front();
    }
}

void Sampler::reset() {
    recent_.clear();
    rng_ = SplitMix64(params_.seed);
}

}  // namespace lamina
