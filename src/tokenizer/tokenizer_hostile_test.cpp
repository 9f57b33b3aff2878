// Hostile tokenizer input: vocabularies and text chosen to make the tokenizers slow or to make
// their errors unclear.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "gguf/gguf_reader.h"
#include "gguf/gguf_test_bytes.h"
#include "testing/temp_dir.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"

namespace lamina {
namespace {

TEST(HostileTokenizer, WordPieceStaysFastWithAVeryLongVocabularyToken) {
    // A 16 KiB token made the longest-match search try every length up to it at each position:
    // cubic in the word's length (a 16 KiB word did not finish; 4 KiB took 3 s).
    const std::string kU = "\xE2\x96\x81";
    Vocab v = default_vocab(VocabKind::WordPiece);
    v.tokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", kU + "a", "a", kU + std::string(16384, 'b')};
    v.pad = 0, v.unk = 1, v.bos = 2, v.sep = 3;
    auto tok = make_tokenizer(std::move(v));
    ASSERT_TRUE(tok) << tok.error();
    const std::string word(16384, 'a');
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<TokenId> ids = (*tok)->encode(word, false, false);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // The same greedy result: the word-initial piece, then one continuation per letter.
    ASSERT_EQ(ids.size(), word.size());
    EXPECT_EQ(ids[0], 4);
    EXPECT_EQ(ids[1], 5);
    EXPECT_LT(s, 2.0);
    EXPECT_EQ((*tok)->encode(std::string(16384, 'b'), false, false), std::vector<TokenId>{6});
}

TEST(HostileTokenizer, WrongTypedModelKeyIsNamedAsSuch) {
    testing::GgufBytes o;
    o.header(0, 1).kv_u32("tokenizer.ggml.model", 7);
    testing::TempDir dir;
    const std::string path = dir.file("tok.gguf");
    testing::write_bytes(path, o.b);
    auto g = GgufReader::open(path);
    ASSERT_TRUE(g) << g.error();
    auto tok = Tokenizer::from_gguf(**g);
    ASSERT_FALSE(tok);
    EXPECT_NE(tok.error().find("tokenizer.ggml.model has type u32"), std::string::npos)
        << tok.error();
    // The file is named once.
    EXPECT_EQ(tok.error().find(path), 0u);
    EXPECT_EQ(tok.error().find(path, 1), std::string::npos) << tok.error();
}

}  // namespace
}  // namespace lamina
