#include "runtime/perplexity.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "runtime/session.h"

namespace lamina {
namespace {

// log-softmax of a row, in double.
void log_softmax(const float* x, int64_t n, std::vector<double>& out) {
    out.resize((size_t)n);
    double mx = x[0];
    for (int64_t i = 1; i < n; ++i) mx = std::max(mx, (double)x[i]);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += std::exp((double)x[i] - mx);
    const double lse = mx + std::log(sum);
    for (int64_t i = 0; i < n; ++i) out[(size_t)i] = (double)x[i] - lse;
}

int64_t argmax(const float* x, int64_t n) {
    return std::max_element(x, x + n) - x;
}

// Mean and standard error of the mean from a sum and a sum of squares over n samples.
void mean_and_error(double sum, double sum2, int64_t n, double* mean, double* err) {
    *mean = sum / (double)n;
    const double var = sum2 / (double)n - *mean * *mean;
    *err = (var > 0 && n > 1) ? std::sqrt(var / (double)(n - 1)) : 0.0;
}

}  // namespace

Expected<PerplexityResult> compute_perplexity(LlamaModel& model, Backend& backend,
                                              std::span<const TokenId> tokens, TokenId bos,
                                              const PerplexityOptions& opt,
                                              const PerplexityProgress& progress,
                                              KlBaseFile* save_base, const KlBaseFile* kl_base) {
    const int64_t n_ctx = opt.n_ctx;
    if (n_ctx < 4) return Status::error("the context (-c) must be at least 4 tokens");
    const int64_t n_windows = (int64_t)tokens.size() / n_ctx;
    if (n_windows < 1) {
        return Status::error("the text has " + std::to_string(tokens.size()) +
                             " tokens, fewer than one window of " + std::to_string(n_ctx) +
                             " (use a smaller -c or a longer text)");
    }
    const int64_t n_vocab = model.hparams().n_vocab;
    const int64_t first = n_ctx / 2;
    const int64_t rows = n_ctx - 1 - first;
    if (kl_base) {
        if (kl_base->n_vocab != n_vocab || kl_base->n_ctx != n_ctx ||
            kl_base->n_windows != n_windows ||
            !std::equal(tokens.begin(), tokens.end(), kl_base->tokens.begin(),
                        kl_base->tokens.end())) {
            return Status::error(
                "the KL base was made from other tokens, context or vocabulary (base: " +
                std::to_string(kl_base->n_windows) + " windows of " +
                std::to_string(kl_base->n_ctx) + ", vocab " + std::to_string(kl_base->n_vocab) +
                ")");
        }
    }
    if (save_base) {
        save_base->n_vocab = (int32_t)n_vocab;
        save_base->n_ctx = (int32_t)n_ctx;
        save_base->n_windows = (int32_t)n_windows;
        save_base->tokens.assign(tokens.begin(), tokens.end());
        save_base->logits.clear();
        save_base->logits.reserve((size_t)(n_windows * rows * n_vocab));
    }

    Session session(model, backend, n_ctx, opt.n_batch);
    PerplexityResult r;
    r.n_windows = n_windows;
    double nll = 0, nll2 = 0, kl = 0, kl2 = 0;
    int64_t same_top = 0;
    std::vector<double> lp, lp_base;
    std::vector<TokenId> window((size_t)n_ctx);
    for (int64_t w = 0; w < n_windows; ++w) {
        std::copy_n(tokens.begin() + w * n_ctx, n_ctx, window.begin());
        if (bos >= 0) window[0] = bos;
        session.truncate(0);
        if (Status s = session.eval(window, /*all_logits=*/true); !s) return s;
        for (int64_t j = first; j < n_ctx - 1; ++j) {
            const float* row = session.logits(j);
            log_softmax(row, n_vocab, lp);
            const double v = -lp[(size_t)window[(size_t)j + 1]];
            nll += v;
            nll2 += v * v;
            ++r.n_scored;
            if (save_base) save_base->logits.insert(save_base->logits.end(), row, row + n_vocab);
            if (kl_base) {
                const float* base =
                    kl_base->logits.data() + (size_t)((w * rows + (j - first)) * n_vocab);
                log_softmax(base, n_vocab, lp_base);
                double d = 0;
                for (int64_t t = 0; t < n_vocab; ++t) {
                    d += std::exp(lp_base[(size_t)t]) * (lp_base[(size_t)t] - lp[(size_t)t]);
                }
                kl += d;
                kl2 += d * d;
                r.kl_max = std::max(r.kl_max, d);
                same_top += argmax(base, n_vocab) == argmax(row, n_vocab);
            }
        }
        r.running.push_back(std::exp(nll / (double)r.n_scored));
        if (progress) progress(w + 1, n_windows, r.running.back());
    }
    double mean = 0, err = 0;
    mean_and_error(nll, nll2, r.n_scored, &mean, &err);
    r.ppl = std::exp(mean);
    r.ppl_uncertainty = err * r.ppl;
    if (kl_base) {
        mean_and_error(kl, kl2, r.n_scored, &r.kl_mean, &r.kl_uncertainty);
        r.same_top = (double)same_top / (double)r.n_scored;
    }
    return r;
}

}  // namespace lamina
