#include "tools/synthetic_vocab.h"

#include <gtest/gtest.h>

#include <set>

namespace lamina {
namespace {

TEST(SyntheticVocab, LayoutFollowsLlamaConventions) {
    Expected<SpmVocab> v = synthesize_spm_vocab(512);
    ASSERT_TRUE(v) << v.error();
    ASSERT_EQ(v->tokens.size(), 512u);
    ASSERT_EQ(v->scores.size(), 512u);
    ASSERT_EQ(v->types.size(), 512u);
    EXPECT_EQ(v->tokens[0], "<unk>");
    EXPECT_EQ(v->types[0], 2);
    EXPECT_EQ(v->tokens[1], "<s>");
    EXPECT_EQ(v->types[1], 3);
    EXPECT_EQ(v->tokens[2], "</s>");
    EXPECT_EQ(v->types[2], 3);
    // Byte tokens sit at 3 + byte, as in Llama's vocabulary (<0x0A> is id 13 there).
    EXPECT_EQ(v->tokens[3], "<0x00>");
    EXPECT_EQ(v->tokens[13], "<0x0A>");
    EXPECT_EQ(v->tokens[258], "<0xFF>");
    for (int i = 3; i < 259; ++i) EXPECT_EQ(v->types[i], 6) << i;
    EXPECT_EQ(v->tokens[259], "\xE2\x96\x81");  // the bare word prefix
    EXPECT_EQ(v->tokens[260], "!");
}

TEST(SyntheticVocab, PiecesUniqueAndScoresDecreasing) {
    Expected<SpmVocab> v = synthesize_spm_vocab(32000);
    ASSERT_TRUE(v) << v.error();
    ASSERT_EQ(v->tokens.size(), 32000u);
    std::set<std::string> unique(v->tokens.begin(), v->tokens.end());
    EXPECT_EQ(unique.size(), 32000u);
    for (size_t i = 260; i < v->tokens.size(); ++i) {
        ASSERT_EQ(v->types[i], 1) << i;
        ASSERT_LT(v->scores[i], v->scores[i - 1]) << i;
        ASSERT_FALSE(v->tokens[i].empty());
    }
    // Every printable ASCII character exists with and without the prefix.
    for (char c = '!'; c <= '~'; ++c) {
        EXPECT_TRUE(unique.count(std::string(1, c))) << c;
        EXPECT_TRUE(unique.count("\xE2\x96\x81" + std::string(1, c))) << c;
    }
    EXPECT_TRUE(unique.count("\xE2\x96\x81the"));
}

TEST(SyntheticVocab, RejectsImpossibleSizes) {
    Expected<SpmVocab> small = synthesize_spm_vocab(259);
    ASSERT_FALSE(small);
    EXPECT_NE(small.error().find("at least 260"), std::string::npos) << small.error();
    Expected<SpmVocab> huge = synthesize_spm_vocab(1000000);
    ASSERT_FALSE(huge);
    EXPECT_NE(huge.error().find("vocabulary GGUF"), std::string::npos) << huge.error();
}

}  // namespace
}  // namespace lamina
