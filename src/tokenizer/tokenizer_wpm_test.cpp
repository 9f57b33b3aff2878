// WordPiece: hand-computed normalization and longest-match pieces, llama.cpp's bert-bge vectors.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/shared_data.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"
#include "tokenizer/vocab_test_vectors.h"

namespace lamina {
namespace {

const std::string kU = "\xE2\x96\x81";  // U+2581: word-initial pieces carry it in the GGUF

std::unique_ptr<Tokenizer> tiny_wpm() {
    Vocab v = default_vocab(VocabKind::WordPiece);
    v.tokens = {"[PAD]", "[UNK]",     "[CLS]",  "[SEP]",  kU + "hello",        kU + "un", "aff",
                "able",  kU + "cafe", kU + ",", kU + "!", kU + "\xE4\xBD\xA0", kU + "x"};
    v.types.assign(v.tokens.size(), TokenType::Normal);
    for (int i = 0; i < 4; ++i) v.types[i] = TokenType::Control;
    v.pad = 0, v.unk = 1, v.bos = 2, v.sep = 3;
    auto tok = make_tokenizer(std::move(v));
    EXPECT_TRUE(tok.has_value()) << tok.error();
    return std::move(*tok);
}

TEST(TokenizerWpmTest, NormalizesAndSplits) {
    auto tok = tiny_wpm();
    // Upper case folds, "é" loses its accent, punctuation and CJK stand alone.
    EXPECT_EQ(tok->encode("HELLO, Caf\xC3\xA9!", false, false),
              (std::vector<TokenId>{4, 9, 8, 10}));
    EXPECT_EQ(tok->encode("x\xE4\xBD\xA0x", false, false), (std::vector<TokenId>{12, 11, 12}));
    // Continuation pieces ("##aff", "##able") follow the longest word-initial match.
    EXPECT_EQ(tok->encode("unaffable", false, false), (std::vector<TokenId>{5, 6, 7}));
    // A word that cannot be covered entirely is [UNK]; so is nothing else around it.
    EXPECT_EQ(tok->encode("hello unaffablez hello", false, false), (std::vector<TokenId>{4, 1, 4}));
    // add_special wraps in [CLS] ... [SEP].
    EXPECT_EQ(tok->encode("hello", true, false), (std::vector<TokenId>{2, 4, 3}));
    EXPECT_EQ(tok->decode({4, 9, 5, 6, 7}), "hello , unaffable");
    // Invalid bytes are dropped, never a crash.
    EXPECT_EQ(tok->encode("\xFF hello \xC3", false, false), (std::vector<TokenId>{4}));
}

TEST(TokenizerWpmTest, BertBgeVectors) {
    LAMINA_SHARED_FILE_OR_SKIP(path, "vocab/ggml-vocab-bert-bge.gguf");
    testing::expect_vectors_pass(path);
}

TEST(TokenizerWpmTest, BertBgeLongInput) {
    LAMINA_SHARED_FILE_OR_SKIP(path, "vocab/ggml-vocab-bert-bge.gguf");
    auto tok = testing::load_tokenizer(path);
    ASSERT_TRUE(tok);
    std::string big;
    while (big.size() < 200 * 1024) big += "The quick brown fox, 你好 \xFF if (x) { y(); }\n";
    big += std::string(20000, 'a');
    const auto ids = tok->encode(big, true, true);
    EXPECT_GT(ids.size(), 20000u);
    EXPECT_EQ(ids.front(), tok->bos());
}

}  // namespace
}  // namespace lamina
