// Byte-level BPE: hand-computed merges, llama.cpp's vectors for four vocabularies, round trips,
// special tokens, invalid UTF-8 and long input.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/shared_data.h"
#include "tokenizer/bpe_pretokenizer.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"
#include "tokenizer/vocab_test_vectors.h"

namespace lamina {
namespace {

std::unique_ptr<Tokenizer> tiny_bpe(std::vector<std::string> merges) {
    Vocab v = default_vocab(VocabKind::ByteLevelBpe);
    v.pre = "gpt-2";
    // "\xC4\xA0" is U+0120, the stand-in for the space byte.
    v.tokens = {"a",
                "b",
                "c",
                "ab",
                "bc",
                "abc",
                "\xC4\xA0",
                "\xC4\xA0"
                "a",
                "<|endoftext|>"};
    v.types.assign(v.tokens.size(), TokenType::Normal);
    v.types.back() = TokenType::Control;
    v.eos = v.bos = 8;
    v.merges = std::move(merges);
    auto tok = make_tokenizer(std::move(v));
    EXPECT_TRUE(tok.has_value()) << tok.error();
    return std::move(*tok);
}

TEST(TokenizerBpeTest, MergesLowestRankFirst) {
    // "b c" (rank 0) beats "a b" (rank 1); then "a bc" (rank 2) completes "abc".
    auto tok = tiny_bpe({"b c", "a b", "a bc"});
    EXPECT_EQ(tok->encode("abc", false, false), (std::vector<TokenId>{5}));
    auto tok2 = tiny_bpe({"b c", "a b"});
    EXPECT_EQ(tok2->encode("abc", false, false), (std::vector<TokenId>{0, 4}));
    auto tok3 = tiny_bpe({"a b", "b c"});
    EXPECT_EQ(tok3->encode("abc", false, false), (std::vector<TokenId>{3, 2}));
    // The space is its own stand-in byte and joins the following word: " a" -> "Ġa".
    auto tok4 = tiny_bpe({"\xC4\xA0 a"});
    EXPECT_EQ(tok4->encode("c a", false, false), (std::vector<TokenId>{2, 7}));
    EXPECT_EQ(tok4->decode({2, 7}), "c a");
}

TEST(TokenizerBpeTest, SpecialTokenOnlyWhenParsed) {
    auto tok = tiny_bpe({"a b"});
    EXPECT_EQ(tok->encode("ab<|endoftext|>", false, true), (std::vector<TokenId>{3, 8}));
    const auto plain = tok->encode("ab<|endoftext|>", false, false);
    for (TokenId id : plain) EXPECT_NE(id, 8);
    EXPECT_TRUE(tok->is_eog(8));
    EXPECT_EQ(tok->decode({3, 8}), "ab");
    EXPECT_EQ(tok->decode({3, 8}, true), "ab<|endoftext|>");
}

TEST(TokenizerBpeTest, Gpt2SplitsLikeTheRegex) {
    auto pre = BpePreTokenizer::create("gpt-2");
    ASSERT_TRUE(pre.has_value()) << pre.error();
    const auto words = pre->split("Hello world's  12 ok!!\n\n x");
    const std::vector<std::string_view> expected = {"Hello", " world", "'s",   " ", " 12",
                                                    " ok",   "!!",     "\n\n", " x"};
    EXPECT_EQ(words, expected);
}

TEST(TokenizerBpeTest, EveryPreTokenizerCompiles) {
    for (const char* name :
         {"default", "llama-bpe", "deepseek-llm", "deepseek-coder", "deepseek-v3", "falcon",
          "starcoder", "gpt-2", "qwen2", "poro-chat", "viking", "tekken", "chameleon", "gpt-4o",
          "superbpe", "bailingmoe", "seed-coder", "unknown-name"}) {
        auto pre = BpePreTokenizer::create(name);
        EXPECT_TRUE(pre.has_value()) << name << ": " << pre.error();
    }
}

class TokenizerBpeVocabTest : public ::testing::TestWithParam<const char*> {};

TEST_P(TokenizerBpeVocabTest, Vectors) {
    LAMINA_SHARED_FILE_OR_SKIP(path, std::string("vocab/ggml-vocab-") + GetParam() + ".gguf");
    testing::expect_vectors_pass(path);
}

TEST_P(TokenizerBpeVocabTest, RoundTripAndRobustness) {
    LAMINA_SHARED_FILE_OR_SKIP(path, std::string("vocab/ggml-vocab-") + GetParam() + ".gguf");
    auto tok = testing::load_tokenizer(path);
    ASSERT_TRUE(tok);
    for (const auto& vec : testing::read_vectors(path))
        EXPECT_EQ(tok->decode(tok->encode(vec.text, false, false)), vec.text);

    // Invalid UTF-8 tokenizes (as U+FFFD) without crashing.
    const std::string bad = "ok \xFF\xFE \xC3 \xE4\xBD x\x80\xBF end \xF4\x90\x80\x80";
    EXPECT_FALSE(tok->encode(bad, true, true).empty());

    std::string big;
    while (big.size() < 200 * 1024) big += "The quick brown fox, 你好 🦙 if (x) { y(); }\n";
    big += std::string(20000, 'a');
    EXPECT_EQ(tok->decode(tok->encode(big, false, false)), big);
}

INSTANTIATE_TEST_SUITE_P(Vocabs, TokenizerBpeVocabTest,
                         ::testing::Values("gpt-2", "falcon", "deepseek-coder", "starcoder"),
                         [](const auto& info) {
                             std::string n = info.param;
                             for (char& c : n)
                                 if (c == '-') c = '_';
                             return n;
                         });

}  // namespace
}  // namespace lamina
