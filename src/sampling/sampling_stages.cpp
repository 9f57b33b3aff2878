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

void apply_penalties(float* logits, int n_vocab, const std::vector<TokenId>& recent, float repeat,
                     float freq, float present) {
    if (recent.empty() || (repeat == 1.0f && freq == 0.0f && present == 0.0f)) return;
    std::vector<TokenId> ids = recent;
    std::sort(ids.begin(), ids.end());
    for (size_t i = 0; i < ids.size();) {
        size_t j = i;
        while (j < ids.size() && ids[j] == ids[i]) ++j;
        const TokenId id = ids[i];
        const float count = (float)(j - i);
        i = j;
        if (id < 0 || id >= n_vocab) continue;
        float& l = logits[id];
        l = l > 0.0f ? l / repeat : l * repeat;
        l -= count * freq + present;
    }
}

TokenId argmax_logits(const float* logits, int n_vocab) {
    TokenId best = 0;
    float best_logit = -std::numeric_limits<float>::infinity();
    for (int i = 0; i < n_vocab; ++i) {
        if (logits[i] > best_logit) {  // strict: the first of equal logits stays; NaN is false
            best_logit = logits[i];
            best = i;
        }
    }
    return best;
}

void select_top_k(CandidateList& list, const float* logits, int n_vocab, int k) {
    // A heap whose front is the worst kept candidate. Ids arrive in increasing order, so a new
    // token beats the worst exactly when its logit is strictly higher.
    std::vector<Candidate>& heap = list.items;
    heap.clear();
    const float neg_inf = -std::numeric_limits<float>::infinity();
    for (int i = 0; i < k; ++i) heap.push_back({i, std::isnan(logits[i]) ? neg_inf : logits[i]});
    std::make_heap(heap.begin(), heap.end(), canonical_before);
    float threshold = heap.front().logit;
    for (int i = k; i < n_vocab; ++i) {
        if (!(logits[i] > threshold)) continue;  // also drops NaN
        std::pop_heap(heap.begin(), heap.end(), canonical_before);
        heap.back() = {i, logits[i]};
        std::push_heap(heap.begin(), heap.end(), canonical_before);
        threshold = heap.front().logit;
    }
    std::sort(heap.begin(), heap.end(), canonical_before);
    list.sorted = true;
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
    if (std::isinf(mx)) return;  // nothing finite to rank
    double total = 0.0;
    for (const Candidate& c : list.items) total += std::exp((double)c.logit - mx);
    const double target = (double)p * total;

    if (!list.sorted) {
        // Sorting 150k candidates to keep a few is wasteful. A histogram of probability mass by
        // distance below the top logit tells which candidates can be inside the cut; only those
        // are moved to the front and sorted.
        constexpr int kPerUnit = 32, kBuckets = 32 * kPerUnit;
        const auto bucket_of = [&](float logit) {
            const double d = ((double)mx - logit) * kPerUnit;
            return d < kBuckets - 1 ? (int)d : kBuckets - 1;
        };
        std::vector<double> mass(kBuckets, 0.0);
        std::vector<size_t> count(kBuckets, 0);
        for (const Candidate& c : list.items) {
            const int b = bucket_of(c.logit);
            mass[b] += std::exp((double)c.logit - mx);
            ++count[b];
        }
        double cum = 0.0;
        size_t needed = 0;
        int last = 0;
        for (; last < kBuckets; ++last) {
            cum += mass[last];
            needed += count[last];
            if (cum >= target && needed >= min_keep) break;
        }
        if (last < kBuckets - 1) {
            auto mid =
                std::partition(list.items.begin(), list.items.end(),
                               [&](const Candidate& c) { return bucket_of(c.logit) <= last; });
            std::sort(list.items.begin(), mid, canonical_before);
            const size_t m = (size_t)(mid - list.items.begin());
            double run = 0.0;
            for (size_t i = 0; i < m; ++i) {
                run += std::exp((double)list.items[i].logit - mx);
                if (run >= target && i + 1 >= min_keep) {
                    list.items.resize(i + 1);
                    list.sorted = true;
                    return;
                }
            }
            // Rounding kept the prefix just short of the target: decide on the full order.
        }
        sort_candidates(list);
    }
    double cum = 0.0;
    for (size_t i = 0; i < n; ++i) {
        cum += std::exp((double)list.items[i].logit - mx);
        if (cum >= target && i + 1 >= min_keep) {
            list.items.resize(i + 1);
            return;
        }
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
