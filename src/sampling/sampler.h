// Sampler: picks the next token from a row of logits (penalties, top-k, top-p, min-p,
// temperature, seeded random pick), in llama.cpp's default order.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "core/rng.h"
#include "core/token_id.h"
#include "sampling/sampling_stages.h"

namespace lamina {

struct SamplerParams {
    float temp = 0.8f;            // <= 0: greedy (argmax after penalties)
    int top_k = 40;               // <= 0: off
    float top_p = 0.95f;          // >= 1: off
    float min_p = 0.05f;          // <= 0: off
    float repeat_penalty = 1.0f;  // 1: off
    int repeat_last_n = 64;       // tokens of history the penalties look at; 0: off, < 0: all
    float frequency_penalty = 0.0f;
    float presence_penalty = 0.0f;
    uint64_t seed = 0;
};

class Sampler {
  public:
    explicit Sampler(const SamplerParams& params);

    // Chooses a token from logits[0, n_vocab). Does not record it: call accept() with the token
    // that is actually fed back (it may differ, e.g. when the caller forces a token).
    TokenId sample(const float* logits, int n_vocab);
    // Adds a token to the history the penalties look at.
    void accept(TokenId id);
    // Forgets the history and restarts the random sequence from the seed.
    void reset();

    const SamplerParams& params() const { return params_; }
    // The penalty window, oldest first.
    std::vector<TokenId> recent() const { return {recent_.begin(), recent_.end()}; }

  private:
    bool penalties_active() const;

    SamplerParams params_;
    SplitMix64 rng_;
    std::deque<TokenId> recent_;
    CandidateList candidates_;  // reused across calls to avoid a 150k-entry allocation per token
    std::vector<TokenId> window_;
    std::vector<float> penalized_;  // the row with penalties applied
};

}  // namespace lamina
