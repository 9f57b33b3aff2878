// Special tokens across vocabularies: "<|endoftext|>"-style text is one control token only when
// special parsing is on, the end-of-generation set, and errors for unusable vocabularies.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/shared_data.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"
#include "tokenizer/vocab_test_vectors.h"

namespace lamina {
namespace {

class TokenizerSpecialTest : public ::testing::TestWithParam<const char*> {};

// gpt-2, falcon and starcoder all have "<|endoftext|>" as a control token (their EOS).
TEST_P(TokenizerSpecialTest, EndOfTextIsControlOnlyWhenParsed) {
    LAMINA_SHARED_FILE_OR_SKIP(path, std::string("vocab/ggml-vocab-") + GetParam() + ".gguf");
    auto tok = testing::load_tokenizer(path);
    ASSERT_TRUE(tok);
    const std::string text = "Hi<|endoftext|>there";
    const auto parsed = tok->encode(text, false, true);
    const auto plain = tok->encode(text, false, false);
    ASSERT_GE(parsed.size(), 3u);
    const TokenId eot = parsed[parsed.size() - 2];
    EXPECT_EQ(tok->token_text(eot), "<|endoftext|>");
    EXPECT_TRUE(tok->is_eog(eot));
    EXPECT_EQ(eot, tok->eos());
    for (TokenId id : plain) EXPECT_NE(id, eot);
    EXPECT_GT(plain.size(), parsed.size());
    // Control tokens decode to nothing unless rendered; the plain form decodes to the text.
    EXPECT_EQ(tok->decode(parsed), "Hithere");
    EXPECT_EQ(tok->decode(parsed, true), text);
    EXPECT_EQ(tok->decode(plain), text);
    // Several special tokens next to each other and at the ends.
    const auto many = tok->encode("<|endoftext|><|endoftext|>a<|endoftext|>", false, true);
    ASSERT_EQ(many.size(), 4u);
    EXPECT_EQ(many[0], eot);
    EXPECT_EQ(many[1], eot);
    EXPECT_EQ(many[3], eot);
}

INSTANTIATE_TEST_SUITE_P(Vocabs, TokenizerSpecialTest,
                         ::testing::Values("gpt-2", "falcon", "starcoder"), [](const auto& info) {
                             std::string n = info.param;
                             for (char& c : n)
                                 if (c == '-') c = '_';
                             return n;
                         });

TEST(TokenizerSpecialIds, HandBuiltEogSet) {
    Vocab v = default_vocab(VocabKind::ByteLevelBpe);
    v.pre = "qwen2";
    v.tokens = {"a", "<|im_start|>", "<|im_end|>", "<|endoftext|>", "b"};
    v.types = {TokenType::Normal, TokenType::Control, TokenType::Normal, TokenType::Control,
               TokenType::Normal};
    v.bos = -1;
    v.eos = 3;
    auto tok = make_tokenizer(std::move(v));
    ASSERT_TRUE(tok.has_value()) << tok.error();
    // <|im_end|> ends generation (and counts as control) even though the file says normal.
    EXPECT_TRUE((*tok)->is_eog(2));
    EXPECT_TRUE((*tok)->is_eog(3));
    EXPECT_FALSE((*tok)->is_eog(1));
    EXPECT_FALSE((*tok)->is_eog(0));
    EXPECT_EQ((*tok)->encode("<|im_start|>a<|im_end|>", false, true),
              (std::vector<TokenId>{1, 0, 2}));
    for (TokenId id : (*tok)->encode("<|im_start|>a<|im_end|>", false, false)) {
        EXPECT_NE(id, 1);
        EXPECT_NE(id, 2);
    }
    EXPECT_EQ((*tok)->token_to_piece(1), "");
    EXPECT_EQ((*tok)->token_to_piece(1, true), "<|im_start|>");
    EXPECT_EQ((*tok)->token_to_piece(99), "");
}

TEST(TokenizerSpecialIds, EmptyVocabularyIsAnError) {
    Vocab v = default_vocab(VocabKind::SentencePiece);
    auto tok = make_tokenizer(std::move(v));
    EXPECT_FALSE(tok.has_value());
}

}  // namespace
}  // namespace lamina
