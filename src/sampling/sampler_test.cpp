#include "sampling/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace lamina {
namespace {

// Deterministic pseudo-random logits for tests (independent of the sampler's own generator use).
std::vector<float> test_logits(int n, uint64_t seed) {
    SplitMix64 g(seed);
    std::vector<float> l(n);
    for (float& x : l) x = (float)(g.next_double() * 8.0 - 4.0);
    return l;
}

SamplerParams plain_params(float temp, uint64_t seed) {
    SamplerParams p;
    p.temp = temp;
    p.top_k = 0;
    p.top_p = 1.0f;
    p.min_p = 0.0f;
    p.seed = seed;
    return p;
}

std::vector<TokenId> run_sequence(const SamplerParams& params, int steps) {
    Sampler s(params);
    std::vector<TokenId> out;
    for (int i = 0; i < steps; ++i) {
        std::vector<float> logits = test_logits(1000, 1000 + i);
        TokenId t = s.sample(logits.data(), (int)logits.size());
        s.accept(t);
        out.push_back(t);
    }
    return out;
}

TEST(Sampler, SplitMix64MatchesPublishedVector) {
    // First outputs of SplitMix64 seeded with 1234567 (Vigna's reference implementation).
    SplitMix64 g(1234567);
    EXPECT_EQ(g.next(), 6457827717110365317ull);
    EXPECT_EQ(g.next(), 3203168211198807973ull);
    EXPECT_EQ(g.next(), 9817491932198370423ull);
}

TEST(Sampler, DefaultsMatchLlamaCpp) {
    SamplerParams p;
    EXPECT_FLOAT_EQ(p.temp, 0.8f);
    EXPECT_EQ(p.top_k, 40);
    EXPECT_FLOAT_EQ(p.top_p, 0.95f);
    EXPECT_FLOAT_EQ(p.min_p, 0.05f);
    EXPECT_FLOAT_EQ(p.repeat_penalty, 1.0f);
    EXPECT_EQ(p.repeat_last_n, 64);
}

TEST(Sampler, GreedyPicksArgmaxWithTiesToLowestId) {
    SamplerParams p;
    p.temp = 0.0f;
    Sampler s(p);
    const std::vector<float> logits = {1.0f, 3.0f, -1.0f, 3.0f, 2.0f};
    EXPECT_EQ(s.sample(logits.data(), 5), 1);
    p.temp = -1.0f;
    Sampler neg(p);
    EXPECT_EQ(neg.sample(logits.data(), 5), 1);
}

TEST(Sampler, GreedyStillAppliesRepeatPenalty) {
    SamplerParams p;
    p.temp = 0.0f;
    p.repeat_penalty = 1.1f;
    Sampler s(p);
    const std::vector<float> logits = {3.0f, 2.9f, 0.0f};
    EXPECT_EQ(s.sample(logits.data(), 3), 0);
    s.accept(0);
    EXPECT_EQ(s.sample(logits.data(), 3), 1);  // 3 / 1.1 = 2.73 < 2.9
}

TEST(Sampler, PenaltyWindowKeepsLastN) {
    SamplerParams p;
    p.repeat_last_n = 3;
    Sampler s(p);
    for (TokenId t : {5, 6, 7, 8}) s.accept(t);
    EXPECT_EQ(s.recent(), (std::vector<TokenId>{6, 7, 8}));
    s.reset();
    EXPECT_TRUE(s.recent().empty());
}

TEST(Sampler, SameSeedSameSequenceDifferentSeedDiffers) {
    SamplerParams p;  // default chain
    p.seed = 42;
    const std::vector<TokenId> a = run_sequence(p, 200);
    const std::vector<TokenId> b = run_sequence(p, 200);
    EXPECT_EQ(a, b);
    p.seed = 43;
    const std::vector<TokenId> c = run_sequence(p, 200);
    EXPECT_NE(a, c);
}

TEST(Sampler, ResetRestartsTheRandomSequence) {
    SamplerParams p = plain_params(1.0f, 7);
    Sampler s(p);
    const std::vector<float> logits = test_logits(50, 3);
    std::vector<TokenId> first, second;
    for (int i = 0; i < 20; ++i) first.push_back(s.sample(logits.data(), 50));
    s.reset();
    for (int i = 0; i < 20; ++i) second.push_back(s.sample(logits.data(), 50));
    EXPECT_EQ(first, second);
}

TEST(Sampler, TinyTemperatureBehavesLikeGreedy) {
    for (int trial = 0; trial < 50; ++trial) {
        std::vector<float> logits = test_logits(500, 77 + trial);
        TokenId best = 0;
        for (int i = 1; i < 500; ++i) {
            if (logits[i] > logits[best]) best = i;
        }
        Sampler s(plain_params(1e-4f, trial));
        EXPECT_EQ(s.sample(logits.data(), 500), best);
    }
}

// Pearson's chi-square statistic of observed counts against expected probabilities.
double chi_square(const std::vector<int>& counts, const std::vector<double>& probs, int draws) {
    double chi = 0.0;
    for (size_t i = 0; i < counts.size(); ++i) {
        const double e = probs[i] * draws;
        if (e == 0.0) {
            EXPECT_EQ(counts[i], 0) << "token " << i << " has probability 0";
            continue;
        }
        chi += (counts[i] - e) * (counts[i] - e) / e;
    }
    return chi;
}

TEST(Sampler, DrawsFollowSoftmaxProbabilities) {
    const std::vector<float> logits = {0.0f, 1.0f, -1.0f, 2.0f, 0.5f, -0.5f, 1.5f, -2.0f};
    const float temp = 0.7f;
    std::vector<double> probs(8);
    double total = 0.0;
    for (int i = 0; i < 8; ++i) total += probs[i] = std::exp(logits[i] / temp);
    for (double& p : probs) p /= total;

    Sampler s(plain_params(temp, 123));
    const int draws = 100000;
    std::vector<int> counts(8, 0);
    for (int i = 0; i < draws; ++i) ++counts[s.sample(logits.data(), 8)];
    // 7 degrees of freedom: the 99.9% quantile is 24.32.
    EXPECT_LT(chi_square(counts, probs, draws), 24.32);
}

TEST(Sampler, DrawsFollowTruncatedDistributionWithTopK) {
    // top_k 3 keeps ids 3, 6, 1 (logits 2, 1.5, 1); the rest must never appear.
    const std::vector<float> logits = {0.0f, 1.0f, -1.0f, 2.0f, 0.5f, -0.5f, 1.5f, -2.0f};
    SamplerParams p = plain_params(1.0f, 9);
    p.top_k = 3;
    std::vector<double> probs(8, 0.0);
    const double z = std::exp(2.0) + std::exp(1.5) + std::exp(1.0);
    probs[3] = std::exp(2.0) / z;
    probs[6] = std::exp(1.5) / z;
    probs[1] = std::exp(1.0) / z;
    Sampler s(p);
    const int draws = 50000;
    std::vector<int> counts(8, 0);
    for (int i = 0; i < draws; ++i) ++counts[s.sample(logits.data(), 8)];
    // 2 degrees of freedom: the 99.9% quantile is 13.82.
    EXPECT_LT(chi_square(counts, probs, draws), 13.82);
}

TEST(Sampler, HandlesLargeVocabularyWithDefaultChain) {
    const int n = 151936;
    std::vector<float> logits = test_logits(n, 5);
    logits[123456] = 40.0f;  // dominant: top-p 0.95 keeps only it
    Sampler s(SamplerParams{});
    for (int i = 0; i < 5; ++i) EXPECT_EQ(s.sample(logits.data(), n), 123456);
}

}  // namespace
}  // namespace lamina
