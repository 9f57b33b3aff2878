#include "sampling/sampling_stages.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace lamina {
namespace {

CandidateList make_list(const std::vector<float>& logits) {
    CandidateList list;
    init_candidates(list, logits.data(), (int)logits.size());
    return list;
}

std::vector<TokenId> ids_of(const CandidateList& list) {
    std::vector<TokenId> ids;
    for (const Candidate& c : list.items) ids.push_back(c.id);
    return ids;
}

// Logits whose softmax is exactly the given probabilities (they sum to 1).
std::vector<float> logits_for(const std::vector<double>& probs, float shift = 0.0f) {
    std::vector<float> l;
    for (double p : probs) l.push_back((float)std::log(p) + shift);
    return l;
}

TEST(SamplingStages, NanLogitsAreNeverCandidates) {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    CandidateList list = make_list({nan, -5.0f, nan});
    EXPECT_EQ(argmax_candidate(list), 1);
    EXPECT_EQ(pick_with_uniform(list, 0.999), 1);
}

TEST(SamplingStages, RepeatPenaltyDividesPositiveAndMultipliesNonPositive) {
    std::vector<float> l = {2.0f, -2.0f, 0.5f, 0.0f, 1.0f};
    apply_penalties(l.data(), 5, {0, 1, 1, 3, 99, -1}, 2.0f, 0.0f, 0.0f);
    EXPECT_FLOAT_EQ(l[0], 1.0f);   // 2 / 2
    EXPECT_FLOAT_EQ(l[1], -4.0f);  // -2 * 2 (once per token, however often it occurs)
    EXPECT_FLOAT_EQ(l[2], 0.5f);   // not in the window
    EXPECT_FLOAT_EQ(l[3], 0.0f);   // 0 * 2
    EXPECT_FLOAT_EQ(l[4], 1.0f);   // not in the window; 99 and -1 ignored
}

TEST(SamplingStages, FrequencyAndPresencePenaltiesUseCounts) {
    std::vector<float> l = {2.0f, -2.0f, 0.5f};
    apply_penalties(l.data(), 3, {0, 1, 1}, 2.0f, 0.5f, 0.25f);
    EXPECT_FLOAT_EQ(l[0], 2.0f / 2 - 1 * 0.5f - 0.25f);   // 0.25
    EXPECT_FLOAT_EQ(l[1], -2.0f * 2 - 2 * 0.5f - 0.25f);  // -5.25
    EXPECT_FLOAT_EQ(l[2], 0.5f);
}

TEST(SamplingStages, ArgmaxOfRowSkipsNanAndPrefersLowestId) {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const std::vector<float> l = {nan, 1.0f, 4.0f, nan, 4.0f, -3.0f};
    EXPECT_EQ(argmax_logits(l.data(), 6), 2);
    const std::vector<float> all_nan = {nan, nan};
    EXPECT_EQ(argmax_logits(all_nan.data(), 2), 0);
}

TEST(SamplingStages, SelectTopKMatchesSortingEverything) {
    // Few distinct values so ties straddle the cut; NaNs sprinkled in.
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::vector<float> l(5000);
    uint64_t x = 12345;
    for (size_t i = 0; i < l.size(); ++i) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        l[i] = (x >> 60) == 15 ? nan : (float)((x >> 33) % 37) - 18.0f;
    }
    for (int k : {1, 2, 40, 333, 4999, 5000}) {
        CandidateList fast, reference = make_list(l);
        select_top_k(fast, l.data(), (int)l.size(), k);
        sort_candidates(reference);
        reference.items.resize(k);
        ASSERT_EQ(ids_of(fast), ids_of(reference)) << "k = " << k;
        EXPECT_TRUE(fast.sorted);
    }
}

TEST(SamplingStages, TopKKeepsHighestWithTiesByLowestId) {
    CandidateList list = make_list({1, 5, 3, 5, 2});
    apply_top_k(list, 3);
    EXPECT_EQ(ids_of(list), (std::vector<TokenId>{1, 3, 2}));
    EXPECT_TRUE(list.sorted);

    CandidateList ties = make_list({1, 3, 3, 3});
    apply_top_k(ties, 2);
    EXPECT_EQ(ids_of(ties), (std::vector<TokenId>{1, 2}));

    CandidateList all = make_list({1, 2, 3});
    apply_top_k(all, 0);
    EXPECT_EQ(all.items.size(), 3u);
    apply_top_k(all, 10);
    EXPECT_EQ(all.items.size(), 3u);
}

TEST(SamplingStages, TopPCutsAtCumulativeBoundary) {
    // Probabilities 0.2, 0.5, 0.3 (unsorted on purpose): sorted mass 0.5, 0.8, 1.0.
    const std::vector<float> logits = logits_for({0.2, 0.5, 0.3});
    struct Case {
        float p;
        std::vector<TokenId> kept;
    };
    for (const Case& c : {Case{0.49f, {1}}, Case{0.51f, {1, 2}}, Case{0.79f, {1, 2}},
                          Case{0.81f, {1, 2, 0}}, Case{1.0f, {0, 1, 2}}}) {
        CandidateList list = make_list(logits);
        apply_top_p(list, c.p);
        EXPECT_EQ(ids_of(list), c.kept) << "p = " << c.p;
    }
}

TEST(SamplingStages, TopPRespectsMinKeep) {
    CandidateList list = make_list(logits_for({0.9, 0.05, 0.05}));
    apply_top_p(list, 0.5f, 2);
    EXPECT_EQ(ids_of(list), (std::vector<TokenId>{0, 1}));
}

TEST(SamplingStages, TopPOnLargeUnsortedListCutsInsideTies) {
    // 1000 equal logits: half the mass is exactly the first 500 ids (ties broken by id), all in
    // one histogram bucket.
    CandidateList list = make_list(std::vector<float>(1000, 0.25f));
    apply_top_p(list, 0.5f);
    ASSERT_EQ(list.items.size(), 500u);
    for (int i = 0; i < 500; ++i) EXPECT_EQ(list.items[i].id, i);
}

TEST(SamplingStages, TopPOnUnsortedListMatchesTopPOnSortedList) {
    // The unsorted path narrows the sort with a histogram; the sorted path is the plain
    // definition. Logits spread over a wide range, with repeats, so cuts fall inside buckets.
    std::vector<float> l(20000);
    uint64_t x = 99;
    for (float& v : l) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        v = (float)((x >> 35) % 4000) / 100.0f - 20.0f;
    }
    for (float p : {0.01f, 0.3f, 0.9f, 0.95f, 0.999f, 0.999999f}) {
        CandidateList fast = make_list(l), reference = make_list(l);
        sort_candidates(reference);
        apply_top_p(fast, p);
        apply_top_p(reference, p);
        ASSERT_EQ(ids_of(fast), ids_of(reference)) << "p = " << p;
    }
}

TEST(SamplingStages, MinPIsRelativeToMostLikelyToken) {
    // Probabilities 0.5, 0.3, 0.026, 0.024 (+ rest of mass elsewhere does not matter): with
    // min_p 0.05 the bar is 0.025, so 0.026 stays and 0.024 goes. Shifting all logits changes
    // nothing since the test is relative.
    for (float shift : {0.0f, 7.0f, -30.0f}) {
        CandidateList list = make_list(logits_for({0.024, 0.5, 0.026, 0.3}, shift));
        apply_min_p(list, 0.05f);
        std::vector<TokenId> ids = ids_of(list);
        EXPECT_EQ(ids, (std::vector<TokenId>{1, 2, 3})) << "shift " << shift;
    }
    CandidateList strict = make_list(logits_for({0.2, 0.5, 0.3}));
    apply_min_p(strict, 0.7f);  // bar 0.35
    EXPECT_EQ(ids_of(strict), (std::vector<TokenId>{1}));
    CandidateList off = make_list(logits_for({0.2, 0.5, 0.3}));
    apply_min_p(off, 0.0f);
    EXPECT_EQ(off.items.size(), 3u);
}

TEST(SamplingStages, TemperatureScalesLogits) {
    CandidateList list = make_list({1.0f, -2.0f});
    apply_temperature(list, 0.5f);
    EXPECT_FLOAT_EQ(list.items[0].logit, 2.0f);
    EXPECT_FLOAT_EQ(list.items[1].logit, -4.0f);
}

TEST(SamplingStages, PickWalksCumulativeMassInCanonicalOrder) {
    // Canonical order is id 1 (0.5), id 2 (0.3), id 0 (0.2): cumulative 0.5, 0.8, 1.0.
    const std::vector<float> logits = logits_for({0.2, 0.5, 0.3});
    struct Case {
        double u;
        TokenId id;
    };
    for (const Case& c : {Case{0.0, 1}, Case{0.49, 1}, Case{0.51, 2}, Case{0.79, 2}, Case{0.81, 0},
                          Case{0.999999, 0}}) {
        CandidateList list = make_list(logits);
        EXPECT_EQ(pick_with_uniform(list, c.u), c.id) << "u = " << c.u;
    }
}

TEST(SamplingStages, ArgmaxTiesGoToLowestId) {
    CandidateList list = make_list({1, 3, 3, 2, 3});
    EXPECT_EQ(argmax_candidate(list), 1);
}

TEST(SamplingStages, CandidateProbsAreSoftmax) {
    CandidateList list = make_list({0.0f, std::log(3.0f)});
    std::vector<double> p = candidate_probs(list);
    EXPECT_NEAR(p[0], 0.25, 1e-7);
    EXPECT_NEAR(p[1], 0.75, 1e-7);
}

}  // namespace
}  // namespace lamina
