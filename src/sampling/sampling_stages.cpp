#include "sampling/sampling_stages.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lamina {
namespace {

// Canonical order: higher logit first, equal logits by ascending id. Total over distinct ids, so
// every sort algorithm (and every standard library) produces the same sequence.
bool canonical_before(const Candidate& a, const Candidate& b) {
    if (a.logit != b.logit) return a.logit > b.logit;
    return a.id < b.id;
}

float max_logit(const CandidateList& list) {
    if (list.sorted) return list.items.front().logit;
    float m = -std::numeric_limits<float>::infinity();
    for (const Candidate& c : list.items) m = std::max(m, c.logit);
    return m;
}

}  // namespace

void init_candidates(CandidateList& list, const float* logits, int n_vocab) {
    list.items.resize(n_vocab > 0 ? (size_t)n_vocab : 0);
    for (int i = 0; i < n_vocab; ++i) {
        const float l = logits[i];
        list.items[i] = {i, std::isnan(l) ? -std::numeric_limits<float>::infinity() : l};
    }
    list.sorted = false;
}

void sort_candidates(CandidateList& list) {
    if (list.sorted) return;
    std::sort(list.items.begin(), list.items.end(), canonical_before);
    list.sorted = true;
}

void apply_penalties(CandidateList& list, const std::vector<TokenId>& recent, float repeat,
                     float freq, float present) {
    if (recent.empty() || (repeat == 1.0f && freq == 0.0f && present == 0.0f)) return;
    std::vector<TokenId> ids = recent;
    std::sort(ids.begin(), ids.end());
    const TokenId n = (TokenId)list.items.size();
    for (size_t i = 0; i < ids.size();) {
        size_t j = i;
        while (j < ids.size() && ids[j] == ids[i]) ++j;
        const TokenId id = ids[i];
        const float count = (float)(j - i);
        i = j;
        if (id < 0 || id >= n) continue;
        float& l = list.items[id].logit;
        l = l > 0.0f ? l / repeat : l * repeat;
        l -= count * freq + present;
    }
    list.sorted = false;
}

void apply_top_k(CandidateList& list, int k) {
    if (k <= 0 || (size_t)k >= list.items.size()) return;
    if (!list.sorted) {
        std::nth_element(list.items.begin(), list.items.begin() + (k - 1), list.items.end(),
                         canonical_before);
        list.items.resize(k);
        std::sort(list.items.begin(), list.items.end(), canonical_before);
        list.sorted = true;
    } else {
        list.items.resize(k);
    }
}

void apply_top_p(CandidateList& list, float p, size_t min_keep) {
    const size_t n = list.items.size();
    if (p >= 1.0f || n <= 1) return;
    const float mx = max_logit(list);
    double total = 0.0;
    for (const Candidate& c : list.items) total += std::exp((double)c.logit - mx);
    const double target = (double)p * total;
    // Sorting 150k candidates to keep a few dozen is wasteful: sort a growing prefix until the
    // mass it holds reaches p.
    size_t prefix = list.sorted ? n : std::min(n, (size_t)256);
    for (;;) {
        if (!list.sorted) {
            std::partial_sort(list.items.begin(), list.items.begin() + prefix, list.items.end(),
                              canonical_before);
            if (prefix == n) list.sorted = true;
        }
        double cum = 0.0;
        for (size_t i = 0; i < prefix; ++i) {
            cum += std::exp((double)list.items[i].logit - mx);
            if (cum >= target && i + 1 >= min_keep) {
                list.items.resize(i + 1);
                list.sorted = true;
                return;
            }
        }
        if (prefix == n) return;  // the whole list is needed
        prefix = std::min(n, prefix * 8);
    }
}

void apply_min_p(CandidateList& list, float min_p, size_t min_keep) {
    if (min_p <= 0.0f || list.items.empty()) return;
    const float threshold = max_logit(list) + std::log(min_p);
    std::vector<Candidate> kept;
    for (const Candidate& c : list.items) {
        if (c.logit >= threshold) kept.push_back(c);
    }
    if (kept.size() >= min_keep) {
        list.items.swap(kept);  // filtering keeps the order, so a sorted list stays sorted
        return;
    }
    sort_candidates(list);
    if (list.items.size() > min_keep) list.items.resize(min_keep);
}

void apply_temperature(CandidateList& list, float temp) {
    for (Candidate& c : list.items) c.logit /= temp;
}

std::vector<double> candidate_probs(const CandidateList& list) {
    std::vector<double> probs(list.items.size());
    if (list.items.empty()) return probs;
    const float mx = max_logit(list);
    double total = 0.0;
    for (size_t i = 0; i < probs.size(); ++i) {
        probs[i] = std::exp((double)list.items[i].logit - mx);
        total += probs[i];
    }
    for (double& p : probs) p /= total;
    return probs;
}

TokenId pick_with_uniform(CandidateList& list, double u) {
    if (list.items.empty()) return -1;
    sort_candidates(list);
    const float mx = list.items.front().logit;
    // All -inf (nothing allowed) or +inf (a tiny temperature overflowed): the first one wins.
    if (std::isinf(mx)) return list.items.front().id;
    double total = 0.0;
    for (const Candidate& c : list.items) total += std::exp((double)c.logit - mx);
    const double target = u * total;
    double cum = 0.0;
    for (const Candidate& c : list.items) {
        cum += std::exp((double)c.logit - mx);
        if (target < cum) return c.id;
    }
    // Rounding left u * total at or past the sum: the last token with nonzero weight.
    for (size_t i = list.items.size(); i-- > 0;) {
        if (std::exp((double)list.items[i].logit - mx) > 0.0) return list.items[i].id;
    }
    return list.items.front().id;
}

TokenId argmax_candidate(const CandidateList& list) {
    if (list.items.empty()) return -1;
    const Candidate* best = &list.items.front();
    for (const Candidate& c : list.items) {
        if (canonical_before(c, *best)) best = &c;
    }
    return best->id;
}

}  // namespace lamina
