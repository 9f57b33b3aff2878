#include "tools/llama2c_convert.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "backend/cpu/cpu_backend.h"
#include "gguf/gguf_reader.h"
#include "model/llama_model.h"
#include "runtime/session.h"
#include "testing/temp_dir.h"
#include "testing/tiny_llama2c.h"

namespace lamina {
namespace {

using testing::TempDir;
using testing::TinyLlama2c;

void write_bytes(const std::string& path, const std::vector<uint8_t>& b) {
    std::ofstream f(path, std::ios::binary);
    f.write((const char*)b.data(), (std::streamsize)b.size());
}

double rel_err(const float* a, const std::vector<double>& b) {
    double num = 0, den = 0;
    for (size_t i = 0; i < b.size(); ++i) {
        num += (a[i] - b[i]) * (a[i] - b[i]);
        den += b[i] * b[i];
    }
    return std::sqrt(num / den);
}

// Converts `tiny`, loads the GGUF and checks every position's logits against the test's own
// double-precision forward pass.
void check_round_trip(const TinyLlama2c& tiny, DType type, double tolerance) {
    TempDir dir;
    write_bytes(dir.file("m.bin"), tiny.bin_bytes());
    write_bytes(dir.file("tok.bin"), tiny.tokenizer_bytes());
    Llama2cConvertOptions opt;
    opt.type = type;
    ASSERT_TRUE(convert_llama2c(dir.file("m.bin"), dir.file("tok.bin"), dir.file("m.gguf"), opt))
        << "conversion failed";
    auto model = LlamaModel::load(dir.file("m.gguf"));
    ASSERT_TRUE(model) << model.error();
    EXPECT_EQ((*model)->hparams().n_embd, tiny.dim);
    EXPECT_EQ((*model)->hparams().n_head_kv, tiny.n_kv_heads);
    EXPECT_EQ((*model)->hparams().n_ff, tiny.hidden);

    const std::vector<int32_t> tokens = {1, 259, 262, 7, 299, 100, 3, 260, 261, 270, 2, 5};
    CpuBackend backend(1);
    Session session(**model, backend, tiny.seq_len, 512);
    ASSERT_TRUE(session.eval(tokens, true));
    const auto want = tiny.forward(tokens);
    for (size_t t = 0; t < tokens.size(); ++t) {
        EXPECT_LT(rel_err(session.logits((int64_t)t), want[t]), tolerance) << "position " << t;
    }
}

TEST(Llama2cConvert, RoundTripF32SeparateClassifierMatchesReferenceForward) {
    TinyLlama2c tiny;
    tiny.make_weights();
    check_round_trip(tiny, DType::F32, 1e-3);  // the engine's KV cache holds f16
}

TEST(Llama2cConvert, RoundTripF16SharedClassifierMatchesReferenceForward) {
    TinyLlama2c tiny;
    tiny.shared_classifier = true;
    tiny.make_weights(777);
    check_round_trip(tiny, DType::F16, 1e-2);  // weights rounded to f16
}

TEST(Llama2cConvert, WritesSentencePieceTokenizerMetadata) {
    TinyLlama2c tiny;
    tiny.make_weights();
    TempDir dir;
    write_bytes(dir.file("m.bin"), tiny.bin_bytes());
    write_bytes(dir.file("tok.bin"), tiny.tokenizer_bytes());
    ASSERT_TRUE(convert_llama2c(dir.file("m.bin"), dir.file("tok.bin"), dir.file("m.gguf"), {}));
    auto g = GgufReader::open(dir.file("m.gguf"));
    ASSERT_TRUE(g) << g.error();
    const GgufValue* tokens = (*g)->find("tokenizer.ggml.tokens");
    const GgufValue* types = (*g)->find("tokenizer.ggml.token_type");
    const GgufValue* scores = (*g)->find("tokenizer.ggml.scores");
    ASSERT_TRUE(tokens && types && scores);
    ASSERT_EQ(tokens->strs.size(), 300u);
    EXPECT_EQ(tokens->strs[0], "<unk>");
    EXPECT_EQ(tokens->strs[1], "<s>");
    EXPECT_EQ(tokens->strs[2], "</s>");
    EXPECT_EQ(tokens->strs[3 + 0x0A], "<0x0A>");
    EXPECT_EQ(tokens->strs[259], "\xE2\x96\x81the");
    ASSERT_EQ(types->ints.size(), 300u);
    EXPECT_EQ(types->ints[0], 2);
    EXPECT_EQ(types->ints[1], 3);
    EXPECT_EQ(types->ints[2], 3);
    EXPECT_EQ(types->ints[3], 6);
    EXPECT_EQ(types->ints[258], 6);
    EXPECT_EQ(types->ints[259], 1);
    EXPECT_FLOAT_EQ((float)scores->floats[261], -2.0f);
    const GgufValue* prefix = (*g)->find("tokenizer.ggml.add_space_prefix");
    ASSERT_TRUE(prefix);
    EXPECT_EQ(prefix->u, 1u);
    const GgufValue* model = (*g)->find("tokenizer.ggml.model");
    ASSERT_TRUE(model);
    EXPECT_EQ(model->str, "llama");
    const GgufValue* bos = (*g)->find("tokenizer.ggml.bos_token_id");
    ASSERT_TRUE(bos);
    EXPECT_EQ(bos->u, 1u);
}

// Converts a malformed .bin; expects a one-line error mentioning `needle` and no output file.
void expect_rejected(const std::vector<uint8_t>& bin, const std::vector<uint8_t>& tok,
                     const std::string& needle) {
    TempDir dir;
    write_bytes(dir.file("m.bin"), bin);
    write_bytes(dir.file("tok.bin"), tok);
    const Status s =
        convert_llama2c(dir.file("m.bin"), dir.file("tok.bin"), dir.file("m.gguf"), {});
    ASSERT_FALSE(s);
    EXPECT_NE(s.message().find(needle), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find('\n'), std::string::npos) << s.message();
    EXPECT_FALSE(std::filesystem::exists(dir.file("m.gguf")));
    EXPECT_FALSE(std::filesystem::exists(dir.file("m.gguf.tmp")));
}

void set_header_field(std::vector<uint8_t>& bin, int index, int32_t value) {
    std::memcpy(bin.data() + 4 * index, &value, 4);
}

TEST(Llama2cConvert, RejectsMalformedCheckpoints) {
    TinyLlama2c tiny;
    tiny.make_weights();
    const std::vector<uint8_t> good = tiny.bin_bytes(), tok = tiny.tokenizer_bytes();

    auto truncated = good;
    truncated.resize(good.size() - 4);
    expect_rejected(truncated, tok, "truncated");

    auto longer = good;
    longer.push_back(0);
    expect_rejected(longer, tok, "needs exactly");

    expect_rejected(std::vector<uint8_t>(good.begin(), good.begin() + 10), tok, "header");
    expect_rejected({}, tok, "header");

    auto negative = good;
    set_header_field(negative, 0, -16);
    expect_rejected(negative, tok, "dim");

    auto zero_layers = good;
    set_header_field(zero_layers, 2, 0);
    expect_rejected(zero_layers, tok, "n_layers");

    auto huge = good;
    set_header_field(huge, 1, 2000000000);
    expect_rejected(huge, tok, "hidden_dim");

    auto huge_but_valid = good;  // in range, but the file is far too small for it
    set_header_field(huge_but_valid, 1, 200000);
    expect_rejected(huge_but_valid, tok, "needs exactly");

    auto bad_heads = good;
    set_header_field(bad_heads, 4, 3);
    expect_rejected(bad_heads, tok, "n_kv_heads");

    auto vocab_min = good;
    set_header_field(vocab_min, 5, INT32_MIN);
    expect_rejected(vocab_min, tok, "vocab_size");
}

TEST(Llama2cConvert, RejectsMalformedTokenizers) {
    TinyLlama2c tiny;
    tiny.make_weights();
    const std::vector<uint8_t> bin = tiny.bin_bytes(), good = tiny.tokenizer_bytes();

    auto truncated = good;
    truncated.resize(good.size() - 3);
    expect_rejected(bin, truncated, "truncated at token 299");

    auto extra = good;
    extra.push_back('x');
    expect_rejected(bin, extra, "after the last");

    auto bad_len = good;
    const int32_t len = -5;
    std::memcpy(bad_len.data() + 4 + 4, &len, 4);  // first token's length
    expect_rejected(bin, bad_len, "bad length");

    expect_rejected(bin, {1, 0}, "truncated header");
}

}  // namespace
}  // namespace lamina
