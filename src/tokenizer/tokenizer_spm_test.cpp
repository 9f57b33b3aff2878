// SentencePiece-style tokenizer: hand-computed merges on a tiny vocabulary, llama.cpp's vectors
// for the Llama 2 vocabulary, round trips and robustness.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "testing/shared_data.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"
#include "tokenizer/vocab_test_vectors.h"

namespace lamina {
namespace {

constexpr const char* kLlamaSpm = "vocab/ggml-vocab-llama-spm.gguf";

// <unk> <s> </s>, the 256 byte tokens (ids 3..258), then the pieces below (ids from 259).
std::unique_ptr<Tokenizer> tiny_spm(const std::vector<std::pair<std::string, float>>& pieces) {
    Vocab v = default_vocab(VocabKind::SentencePiece);
    v.tokens = {"<unk>", "<s>", "</s>"};
    v.types = {TokenType::Unknown, TokenType::Control, TokenType::Control};
    v.scores = {0, 0, 0};
    for (int b = 0; b < 256; ++b) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "<0x%02X>", b);
        v.tokens.push_back(hex);
        v.types.push_back(TokenType::Byte);
        v.scores.push_back(0);
    }
    for (const auto& [text, score] : pieces) {
        v.tokens.push_back(text);
        v.types.push_back(TokenType::Normal);
        v.scores.push_back(score);
    }
    auto tok = make_tokenizer(std::move(v));
    EXPECT_TRUE(tok.has_value()) << tok.error();
    return std::move(*tok);
}

constexpr int kPiece = 259;             // id of the first piece
const std::string kU = "\xE2\x96\x81";  // U+2581

TEST(TokenizerSpmTest, MergesHighestScoreFirst) {
    // "ab" -> "▁ab": pairs "▁a" (-3) and "ab" (-2); "ab" wins, then "▁"+"ab" (-0.5).
    auto tok =
        tiny_spm({{kU, -1}, {"a", -1}, {"b", -1}, {"ab", -2}, {kU + "a", -3}, {kU + "ab", -0.5f}});
    EXPECT_EQ(tok->encode("ab", false, false), (std::vector<TokenId>{kPiece + 5}));
    // With BOS (add_bos defaults to true for SPM).
    EXPECT_EQ(tok->encode("ab", true, false), (std::vector<TokenId>{1, kPiece + 5}));
    // Without "▁ab" the better first merge "ab" keeps "▁" alone.
    auto tok2 = tiny_spm({{kU, -1}, {"a", -1}, {"b", -1}, {"ab", -2}, {kU + "a", -3}});
    EXPECT_EQ(tok2->encode("ab", false, false), (std::vector<TokenId>{kPiece, kPiece + 3}));
}

TEST(TokenizerSpmTest, EqualScoresMergeLeftmostFirst) {
    auto tok = tiny_spm({{kU, -1}, {"a", -1}, {"aa", -2}});
    // "▁aaa": (a,a) at 1 and at 2 tie; the left one merges: ▁ aa a.
    EXPECT_EQ(tok->encode("aaa", false, false),
              (std::vector<TokenId>{kPiece, kPiece + 2, kPiece + 1}));
}

TEST(TokenizerSpmTest, ByteFallbackAndSpaces) {
    auto tok = tiny_spm({{kU, -1}, {"a", -1}});
    // 'c' is not a piece: byte token <0x63> = 3 + 0x63. "é" is two byte tokens.
    EXPECT_EQ(tok->encode("a c", false, false),
              (std::vector<TokenId>{kPiece, kPiece + 1, kPiece, 3 + 0x63}));
    EXPECT_EQ(tok->encode("\xC3\xA9", false, false),
              (std::vector<TokenId>{kPiece, 3 + 0xC3, 3 + 0xA9}));
    EXPECT_EQ(tok->decode(tok->encode("a c \xC3\xA9", false, false)), "a c \xC3\xA9");
    EXPECT_TRUE(tok->encode("", false, false).empty());
    EXPECT_EQ(tok->encode("", true, false), (std::vector<TokenId>{1}));
}

TEST(TokenizerSpmTest, StreamDecoderHoldsSplitCharacters) {
    auto tok = tiny_spm({{kU, -1}, {"a", -1}});
    StreamDecoder d(*tok);
    // "你" = E4 BD A0 in three byte tokens.
    EXPECT_EQ(d.push(kPiece + 1), "a");
    EXPECT_EQ(d.push(3 + 0xE4), "");
    EXPECT_EQ(d.push(3 + 0xBD), "");
    EXPECT_EQ(d.push(3 + 0xA0), "\xE4\xBD\xA0");
    EXPECT_EQ(d.push(kPiece), " ");
    // An incomplete character left at the end comes out as U+FFFD.
    EXPECT_EQ(d.push(3 + 0xE4), "");
    EXPECT_EQ(d.flush(), "\xEF\xBF\xBD");
    // A stray continuation byte is not held back forever.
    EXPECT_EQ(d.push(3 + 0xBD), "\xEF\xBF\xBD");
    EXPECT_EQ(d.push(1), "");  // control token renders nothing
}

TEST(TokenizerSpmTest, LlamaVectors) {
    LAMINA_SHARED_FILE_OR_SKIP(path, kLlamaSpm);
    testing::expect_vectors_pass(path);
}

TEST(TokenizerSpmTest, LlamaRoundTrip) {
    LAMINA_SHARED_FILE_OR_SKIP(path, kLlamaSpm);
    auto tok = testing::load_tokenizer(path);
    ASSERT_TRUE(tok);
    for (const auto& vec : testing::read_vectors(path)) {
        EXPECT_EQ(tok->decode(tok->encode(vec.text, false, false)), vec.text);
        EXPECT_EQ(tok->decode(tok->encode(vec.text, true, false)), vec.text);
    }
}

TEST(TokenizerSpmTest, LlamaMetadataAndSpecialTokens) {
    LAMINA_SHARED_FILE_OR_SKIP(path, kLlamaSpm);
    auto tok = testing::load_tokenizer(path);
    ASSERT_TRUE(tok);
    EXPECT_EQ(tok->n_vocab(), 32000);
    EXPECT_EQ(tok->bos(), 1);
    EXPECT_EQ(tok->eos(), 2);
    EXPECT_TRUE(tok->add_bos());
    EXPECT_TRUE(tok->is_eog(2));
    EXPECT_FALSE(tok->is_eog(1));
    // "</s>" is a control token: one token when parsed, plain text otherwise.
    const auto parsed = tok->encode("a</s>", false, true);
    ASSERT_EQ(parsed.size(), 2u);
    EXPECT_EQ(parsed[1], 2);
    const auto plain = tok->encode("a</s>", false, false);
    EXPECT_GT(plain.size(), 2u);
    for (TokenId id : plain) EXPECT_NE(id, 2);
    EXPECT_EQ(tok->decode(plain), "a</s>");
}

TEST(TokenizerSpmTest, InvalidUtf8AndLongInput) {
    LAMINA_SHARED_FILE_OR_SKIP(path, kLlamaSpm);
    auto tok = testing::load_tokenizer(path);
    ASSERT_TRUE(tok);
    const std::string bad = "ok \xFF\xFE \xC3 \xE4\xBD x\x80\xBF end \xF4\x90\x80\x80";
    const auto ids = tok->encode(bad, true, true);
    EXPECT_FALSE(ids.empty());
    // Byte fallback keeps even invalid bytes.
    EXPECT_EQ(tok->decode(ids), bad);

    std::string big;
    while (big.size() < 200 * 1024) big += "The quick brown fox, 你好 🦙 ";
    big += std::string(20000, 'a');  // one long word without spaces
    const auto long_ids = tok->encode(big, true, false);
    EXPECT_GT(long_ids.size(), 20000u);
    EXPECT_EQ(tok->decode(long_ids), big);
}

}  // namespace
}  // namespace lamina

namespace lamina {
namespace {

// Encoding word by word (the fast path for vocabularies like Llama's) must give exactly what
// merging the whole text at once gives. A piece with U+2581 inside (never found in the text)
// turns the fast path off for the reference tokenizer.
TEST(TokenizerSpmTest, WordByWordEqualsWholeText) {
    LAMINA_SHARED_FILE_OR_SKIP(path, kLlamaSpm);
    auto gguf = GgufReader::open(path);
    ASSERT_TRUE(gguf.has_value()) << gguf.error();
    auto vocab = vocab_from_gguf(**gguf);
    ASSERT_TRUE(vocab.has_value()) << vocab.error();
    auto fast = make_tokenizer(*vocab);
    vocab->tokens.push_back("\x01" + kU + "\x01");
    vocab->scores.push_back(0.0f);
    vocab->types.push_back(TokenType::Normal);
    auto whole = make_tokenizer(*vocab);
    ASSERT_TRUE(fast.has_value() && whole.has_value());
    std::string text;
    for (const auto& vec : testing::read_vectors(path)) text += vec.text + "  ";
    for (int i = 0; i < 50; ++i)
        text += "   The  quick\tbrown 你好 \xF0\x9F\xA6\x99 x=" + std::to_string(i);
    EXPECT_EQ((*fast)->encode(text, true, false), (*whole)->encode(text, true, false));
}

}  // namespace
}  // namespace lamina
