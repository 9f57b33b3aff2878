// Perplexity of a model over a text, by llama.cpp's llama-perplexity method, and KL divergence
// against the saved logits of a reference run (for judging quantized files against F16).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "core/status.h"
#include "model/llama_model.h"
#include "runtime/kl_base_file.h"
#include "tokenizer/tokenizer.h"

namespace lamina {

struct PerplexityOptions {
    int64_t n_ctx = 512;    // window size
    int64_t n_batch = 512;  // tokens per graph
};

// The tokens are cut into floor(n / n_ctx) non-overlapping windows; each window's first token is
// replaced by BOS and the tokens at positions n_ctx/2 + 1 .. n_ctx - 1 are scored, each predicted
// from the position before it.
struct PerplexityResult {
    int64_t n_windows = 0;
    int64_t n_scored = 0;         // tokens scored over all windows
    double ppl = 0;               // exp(mean NLL)
    double ppl_uncertainty = 0;   // ppl * standard error of the mean NLL (as llama.cpp prints)
    std::vector<double> running;  // estimate after each window
    // Filled only when a KL base was given:
    double kl_mean = 0, kl_uncertainty = 0;  // mean KL(base || this) and its standard error
    double kl_max = 0;
    double same_top = 0;  // fraction of scored rows with the same argmax
};

// Called after each window with its 1-based index and the running estimate.
using PerplexityProgress = std::function<void(int64_t window, int64_t n_windows, double ppl)>;

// `save_base`: when not null, receives the scored logits rows (for --kl-divergence-base).
// `kl_base`: when not null, the rows are compared against it (tokens and shape must match).
Expected<PerplexityResult> compute_perplexity(LlamaModel& model, Backend& backend,
                                              std::span<const TokenId> tokens, TokenId bos,
                                              const PerplexityOptions& options,
                                              const PerplexityProgress& progress,
                                              KlBaseFile* save_base = nullptr,
                                              const KlBaseFile* kl_base = nullptr);

}  // namespace lamina
