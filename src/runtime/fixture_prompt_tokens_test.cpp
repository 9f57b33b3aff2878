// The fixture prompts tokenize to the prompt tokens llama.cpp stored in the reference logits
// files (src/tokenizer has no access to the LGT1 reader, which belongs to the runtime).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runtime/logits_file.h"
#include "testing/shared_data.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab_test_vectors.h"

namespace lamina {
namespace {

void expect_fixture_prompt(const char* lgt, const std::string& prompt) {
    LAMINA_SHARED_FILE_OR_SKIP(model, "fixtures/rand-fix256-f16.gguf");
    LAMINA_SHARED_FILE_OR_SKIP(ref_path, lgt);
    auto ref = read_logits_file(ref_path);
    ASSERT_TRUE(ref.has_value()) << ref.error();
    auto tok = testing::load_tokenizer(model);
    ASSERT_TRUE(tok);
    const std::vector<TokenId> expected(ref->tokens.begin(), ref->tokens.begin() + ref->n_prompt);
    EXPECT_EQ(tok->encode(prompt, true, false), expected);
}

TEST(TokenizerSpmTest, FixturePrompt1) {
    expect_fixture_prompt("fixtures/rand-fix256-f16.p1.lgt", "Once upon a time");
}

TEST(TokenizerSpmTest, FixturePrompt2) {
    expect_fixture_prompt(
        "fixtures/rand-fix256-f16.p2.lgt",
        "Attention is all you need: the Transformer replaces recurrence with self-attention. In "
        "2023, LLaMA showed that 7B parameters trained on 1T tokens rival GPT-3 (175B)! Numbers "
        "like 3.14159, emojis like \xF0\x9F\xA6\x99 and CJK like \xE4\xBD\xA0\xE5\xA5\xBD test "
        "the tokenizer.");
}

}  // namespace
}  // namespace lamina
