// The individual sampling stages (penalties, top-k, top-p, min-p, temperature, pick) on a
// candidate list; Sampler chains them, tests check each on its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/token_id.h"

namespace lamina {

struct Candidate {
    TokenId id;
    float logit;
};

// The tokens still in the running. `sorted` is true when the list is in canonical order:
// logit descending, ties by ascending id (a total order, so any correct sort gives the same list
// on every platform).
struct CandidateList {
    std::vector<Candidate> items;
    bool sorted = false;
};

// Fills `list` with every token of `logits`; NaN logits become -infinity so they are never picked.
void init_candidates(CandidateList& list, const float* logits, int n_vocab);

// Sorts into canonical order (no-op if already sorted).
void sort_candidates(CandidateList& list);

// llama.cpp's penalties, applied in place to a row of logits indexed by token id: for each token
// that occurs c > 0 times in `recent`, a positive logit is divided by `repeat` and a non-positive
// one multiplied by it, then c * freq + present is subtracted. Ids outside [0, n_vocab) are
// ignored.
void apply_penalties(float* logits, int n_vocab, const std::vector<TokenId>& recent, float repeat,
                     float freq, float present);

// The highest logit of a row; ties go to the lowest id, NaN never wins (all NaN: 0).
TokenId argmax_logits(const float* logits, int n_vocab);

// Fills `list` with the k best tokens of a row in canonical order, in one pass over the row
// (no full candidate list is built). k must be in [1, n_vocab].
void select_top_k(CandidateList& list, const float* logits, int n_vocab, int k);

// Keeps the k highest (k <= 0 or k >= size: keeps all). Leaves the list sorted when it cut.
void apply_top_k(CandidateList& list, int k);

// Keeps the smallest canonical-order prefix whose softmax probability mass reaches p (at least
// min_keep tokens). p >= 1 keeps all. Leaves the list sorted when it cut.
void apply_top_p(CandidateList& list, float p, size_t min_keep = 1);

// Keeps tokens whose probability is at least min_p times the most likely token's
// (i.e. logit >= max_logit + ln(min_p)); at least min_keep. min_p <= 0 keeps all.
void apply_min_p(CandidateList& list, float min_p, size_t min_keep = 1);

// Divides every logit by temp (temp > 0).
void apply_temperature(CandidateList& list, float temp);

// Softmax probabilities of the list's logits, in list order.
std::vector<double> candidate_probs(const CandidateList& list);

// Picks a token with probability softmax(logit) given a uniform number u in [0, 1).
// The list is put in canonical order first so the result does not depend on how earlier stages
// happened to permute it.
TokenId pick_with_uniform(CandidateList& list, double u);

// The highest logit; ties go to the lowest id.
TokenId argmax_candidate(const CandidateList& list);

}  // namespace lamina
