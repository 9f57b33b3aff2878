// Random bytes and random valid UTF-8 through every shared vocabulary: never a crash, ids always
// in range, and lossless round trips for the byte-preserving kinds (SPM, byte-level BPE).
#include <gtest/gtest.h>

#include <string>

#include "core/rng.h"
#include "testing/shared_data.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"
#include "tokenizer/vocab_test_vectors.h"

namespace lamina {
namespace {

class TokenizerFuzzTest : public ::testing::TestWithParam<const char*> {};

TEST_P(TokenizerFuzzTest, RandomInput) {
    LAMINA_SHARED_FILE_OR_SKIP(path, std::string("vocab/ggml-vocab-") + GetParam() + ".gguf");
    auto tok = testing::load_tokenizer(path);
    ASSERT_TRUE(tok);
    const bool lossless = std::string(GetParam()) != "bert-bge";
    SplitMix64 rng(12345);
    // Pieces that exercise merges, special-token lookalikes and multi-byte characters.
    const char* alphabet[] = {"a",
                              " ",
                              "  ",
                              "\n",
                              "'s",
                              "<|endoftext|>",
                              "</s>",
                              "<s>",
                              "\xC3\xA9",
                              "\xE4\xBD\xA0",
                              "\xF0\x9F\xA6\x99",
                              "1",
                              "x",
                              "!"};
    for (int iter = 0; iter < 300; ++iter) {
        std::string bytes, text;
        const int n = (int)(rng.next() % 40);
        for (int i = 0; i < n; ++i) {
            bytes += (char)(rng.next() & 0xFF);
            text += alphabet[rng.next() % std::size(alphabet)];
        }
        for (bool special : {false, true}) {
            for (TokenId id : tok->encode(bytes, true, special)) {
                ASSERT_GE(id, 0);
                ASSERT_LT(id, tok->n_vocab());
            }
            const auto ids = tok->encode(text, false, special);
            for (TokenId id : ids) ASSERT_LT(id, tok->n_vocab());
            // With special parsing SPM adds its space prefix after each special token (as
            // llama.cpp does), so only plain text is compared.
            if (lossless && !special) {
                EXPECT_EQ(tok->decode(ids), text);
            }
        }
        // Streaming the pieces gives the same text as decoding at once, in valid UTF-8.
        StreamDecoder stream(*tok);
        std::string streamed, pieces;
        for (TokenId id : tok->encode(text, false, false)) {
            streamed += stream.push(id);
            pieces += tok->token_to_piece(id);
        }
        streamed += stream.flush();
        if (lossless) {
            EXPECT_EQ(streamed, pieces);
        }
        EXPECT_EQ(utf8::sanitize(streamed), streamed);
    }
}

INSTANTIATE_TEST_SUITE_P(Vocabs, TokenizerFuzzTest,
                         ::testing::Values("llama-spm", "gpt-2", "falcon", "deepseek-coder",
                                           "starcoder", "bert-bge"),
                         [](const auto& info) {
                             std::string n = info.param;
                             for (char& c : n)
                                 if (c == '-') c = '_';
                             return n;
                         });

}  // namespace
}  // namespace lamina
