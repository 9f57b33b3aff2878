#include "tools/model_gen.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "core/fp16.h"
#include "gguf/gguf_reader.h"
#include "testing/shared_data.h"
#include "testing/temp_dir.h"

namespace lamina {
namespace {

namespace fs = std::filesystem;
using ::lamina::testing::TempDir;

std::unique_ptr<GgufReader> open_or_fail(const std::string& path) {
    Expected<std::unique_ptr<GgufReader>> r = GgufReader::open(path);
    EXPECT_TRUE(r) << r.error();
    return r ? std::move(*r) : nullptr;
}

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Expected tensor table of a llama model: name -> (ne, type).
std::map<std::string, std::pair<std::vector<int64_t>, DType>> expected_tensors(const ModelShape& s,
                                                                               DType wt) {
    std::map<std::string, std::pair<std::vector<int64_t>, DType>> t;
    const int64_t kv = s.dim / s.n_heads * s.n_kv_heads;
    t["token_embd.weight"] = {{s.dim, s.vocab_size}, wt};
    for (int b = 0; b < s.n_layers; ++b) {
        const std::string p = "blk." + std::to_string(b) + ".";
        t[p + "attn_norm.weight"] = {{s.dim}, DType::F32};
        t[p + "attn_q.weight"] = {{s.dim, s.dim}, wt};
        t[p + "attn_k.weight"] = {{s.dim, kv}, wt};
        t[p + "attn_v.weight"] = {{s.dim, kv}, wt};
        t[p + "attn_output.weight"] = {{s.dim, s.dim}, wt};
        t[p + "ffn_norm.weight"] = {{s.dim}, DType::F32};
        t[p + "ffn_gate.weight"] = {{s.dim, s.ffn_dim}, wt};
        t[p + "ffn_up.weight"] = {{s.dim, s.ffn_dim}, wt};
        t[p + "ffn_down.weight"] = {{s.ffn_dim, s.dim}, wt};
    }
    t["output_norm.weight"] = {{s.dim}, DType::F32};
    t["output.weight"] = {{s.dim, s.vocab_size}, wt};
    return t;
}

void expect_tensor_table(const GgufReader& r, const ModelShape& s, DType wt) {
    const auto want = expected_tensors(s, wt);
    EXPECT_EQ(r.tensors().size(), want.size());
    for (const auto& [name, spec] : want) {
        const GgufTensorInfo* t = r.find_tensor(name);
        ASSERT_NE(t, nullptr) << name;
        EXPECT_EQ(t->n_dims, (int)spec.first.size()) << name;
        for (size_t d = 0; d < spec.first.size(); ++d) EXPECT_EQ(t->ne[d], spec.first[d]) << name;
        EXPECT_EQ(t->type, spec.second) << name;
    }
}

TEST(ModelGen, NamedShapesMatchTheirSpecifications) {
    Expected<ModelShape> fix = find_model_shape("fix256");
    ASSERT_TRUE(fix);
    // shared/README.md: dim 256, 2 blocks, 8 query heads of size 32, 4 KV heads, ffn 768,
    // context 512, 32000 tokens.
    EXPECT_EQ(fix->dim, 256);
    EXPECT_EQ(fix->n_layers, 2);
    EXPECT_EQ(fix->n_heads, 8);
    EXPECT_EQ(fix->head_dim(), 32);
    EXPECT_EQ(fix->n_kv_heads, 4);
    EXPECT_EQ(fix->ffn_dim, 768);
    EXPECT_EQ(fix->context_length, 512);
    EXPECT_EQ(fix->vocab_size, 32000);
    Expected<ModelShape> tl = find_model_shape("tinyllama");
    ASSERT_TRUE(tl);
    // TinyLlama-1.1B has about 1.1 billion weights.
    EXPECT_NEAR(tl->n_params() / 1e9, 1.1, 0.01);
    for (const ModelShape& s : named_model_shapes()) EXPECT_TRUE(s.validate()) << s.name;
    Expected<ModelShape> none = find_model_shape("huge");
    ASSERT_FALSE(none);
    EXPECT_NE(none.error().find("tiny"), std::string::npos) << "lists known shapes";
}

TEST(ModelGen, TinyModelReadsBackWithLlamaMetadata) {
    TempDir dir;
    const std::string path = dir.file("tiny.gguf");
    const ModelShape shape = *find_model_shape("tiny");
    size_t calls = 0;
    ASSERT_TRUE(write_random_llama(path, shape, DType::F16, 1,
                                   [&](size_t, size_t, const std::string&) { ++calls; }));
    EXPECT_EQ(calls, 3u + 9u * shape.n_layers);
    auto r = open_or_fail(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->get_string("general.architecture"), "llama");
    EXPECT_EQ(r->get_uint("general.file_type"), 1u);
    EXPECT_EQ(r->get_uint("llama.context_length"), 256u);
    EXPECT_EQ(r->get_uint("llama.embedding_length"), 64u);
    EXPECT_EQ(r->get_uint("llama.block_count"), 2u);
    EXPECT_EQ(r->get_uint("llama.feed_forward_length"), 192u);
    EXPECT_EQ(r->get_uint("llama.attention.head_count"), 4u);
    EXPECT_EQ(r->get_uint("llama.attention.head_count_kv"), 2u);
    EXPECT_EQ(r->get_uint("llama.rope.dimension_count"), 16u);
    EXPECT_EQ(r->get_uint("llama.vocab_size"), 512u);
    EXPECT_NEAR(*r->get_float("llama.attention.layer_norm_rms_epsilon"), 1e-5, 1e-12);
    EXPECT_EQ(r->get_float("llama.rope.freq_base"), 10000.0);
    EXPECT_EQ(r->get_string("tokenizer.ggml.model"), "llama");
    EXPECT_EQ(r->get_uint("tokenizer.ggml.bos_token_id"), 1u);
    EXPECT_EQ(r->get_uint("tokenizer.ggml.eos_token_id"), 2u);
    EXPECT_EQ(r->get_uint("tokenizer.ggml.unknown_token_id"), 0u);
    EXPECT_EQ(r->get_bool("tokenizer.ggml.add_bos_token"), true);
    const GgufValue* tokens = r->find("tokenizer.ggml.tokens");
    ASSERT_NE(tokens, nullptr);
    EXPECT_EQ(tokens->array_size(), 512u);
    EXPECT_EQ(tokens->strs[1], "<s>");
    const GgufValue* types = r->find("tokenizer.ggml.token_type");
    ASSERT_NE(types, nullptr);
    ASSERT_EQ(types->array_size(), 512u);
    EXPECT_EQ(types->ints[3 + 0x41], 6);
    const GgufValue* scores = r->find("tokenizer.ggml.scores");
    ASSERT_NE(scores, nullptr);
    EXPECT_EQ(scores->array_size(), 512u);
    expect_tensor_table(*r, shape, DType::F16);

    // Values: weights about N(0, 0.02), norms about 1.
    const GgufTensorInfo* emb = r->find_tensor("token_embd.weight");
    const uint16_t* e = reinterpret_cast<const uint16_t*>(r->tensor_data(*emb));
    double sum = 0, sq = 0;
    for (int64_t i = 0; i < emb->n_elements(); ++i) {
        const double x = fp16_to_fp32(e[i]);
        sum += x;
        sq += x * x;
    }
    EXPECT_NEAR(sum / emb->n_elements(), 0.0, 0.001);
    EXPECT_NEAR(std::sqrt(sq / emb->n_elements()), 0.02, 0.001);
    const GgufTensorInfo* norm = r->find_tensor("blk.1.ffn_norm.weight");
    const float* nw = reinterpret_cast<const float*>(r->tensor_data(*norm));
    double nsum = 0, nsq = 0;
    for (int i = 0; i < 64; ++i) {
        EXPECT_NEAR(nw[i], 1.0f, 0.35f) << i;  // 1 + 0.1 * (at most 3.46 sigma)
        nsum += nw[i];
        nsq += (nw[i] - 1.0) * (nw[i] - 1.0);
    }
    EXPECT_NEAR(nsum / 64, 1.0, 0.05);
    EXPECT_NEAR(std::sqrt(nsq / 64), 0.1, 0.04);
}

TEST(ModelGen, SameSeedSameBytesOtherSeedDiffers) {
    TempDir dir;
    const ModelShape shape = *find_model_shape("tiny");
    ASSERT_TRUE(write_random_llama(dir.file("a.gguf"), shape, DType::F32, 7));
    ASSERT_TRUE(write_random_llama(dir.file("b.gguf"), shape, DType::F32, 7));
    ASSERT_TRUE(write_random_llama(dir.file("c.gguf"), shape, DType::F32, 8));
    const std::string a = read_all(dir.file("a.gguf"));
    EXPECT_EQ(a, read_all(dir.file("b.gguf")));
    const std::string c = read_all(dir.file("c.gguf"));
    EXPECT_EQ(a.size(), c.size());
    EXPECT_NE(a, c);
}

TEST(ModelGen, Fix256MatchesTheSharedFixtureLayout) {
    LAMINA_SHARED_FILE_OR_SKIP(fixture_path, "fixtures/rand-fix256-f16.gguf");
    LAMINA_SHARED_FILE_OR_SKIP(vocab_path, "vocab/ggml-vocab-llama-spm.gguf");
    TempDir dir;
    const std::string path = dir.file("fix256.gguf");
    ASSERT_TRUE(
        write_random_llama(path, *find_model_shape("fix256"), DType::F16, 3, nullptr, vocab_path));
    auto ours = open_or_fail(path);
    auto fixture = open_or_fail(fixture_path);
    auto vocab = open_or_fail(vocab_path);
    ASSERT_TRUE(ours && fixture && vocab);
    // Same hyper-parameters as the model llama.cpp's converter wrote.
    for (const char* key : {"llama.context_length", "llama.embedding_length", "llama.block_count",
                            "llama.feed_forward_length", "llama.attention.head_count",
                            "llama.attention.head_count_kv", "llama.rope.dimension_count"}) {
        EXPECT_EQ(ours->get_uint(key), fixture->get_uint(key)) << key;
    }
    EXPECT_NEAR(*ours->get_float("llama.attention.layer_norm_rms_epsilon"),
                *fixture->get_float("llama.attention.layer_norm_rms_epsilon"), 1e-12);
    EXPECT_EQ(ours->get_float("llama.rope.freq_base"), fixture->get_float("llama.rope.freq_base"));
    // Same tensor names and shapes.
    ASSERT_EQ(ours->tensors().size(), fixture->tensors().size());
    for (const GgufTensorInfo& ft : fixture->tensors()) {
        const GgufTensorInfo* t = ours->find_tensor(ft.name);
        ASSERT_NE(t, nullptr) << ft.name;
        EXPECT_EQ(t->n_dims, ft.n_dims) << ft.name;
        for (int d = 0; d < 4; ++d) EXPECT_EQ(t->ne[d], ft.ne[d]) << ft.name;
    }
    // The tokenizer is the real one, copied key by key.
    EXPECT_EQ(ours->find("tokenizer.ggml.tokens")->strs,
              vocab->find("tokenizer.ggml.tokens")->strs);
    EXPECT_EQ(ours->find("tokenizer.ggml.scores")->floats,
              vocab->find("tokenizer.ggml.scores")->floats);
    EXPECT_EQ(ours->get_string("tokenizer.ggml.model"), "llama");
}

TEST(ModelGen, RejectsBadRequestsWithoutWritingAFile) {
    TempDir dir;
    const std::string path = dir.file("x.gguf");
    const ModelShape tiny = *find_model_shape("tiny");
    Status q = write_random_llama(path, tiny, DType::Q4_0, 1);
    EXPECT_FALSE(q);
    EXPECT_NE(q.message().find("Q4_0"), std::string::npos) << q.message();

    ModelShape odd = tiny;
    odd.n_kv_heads = 3;
    EXPECT_FALSE(write_random_llama(path, odd, DType::F16, 1));

    const std::string vocab = ::lamina::testing::shared_file("vocab/ggml-vocab-llama-spm.gguf");
    if (!vocab.empty()) {
        Status s = write_random_llama(path, tiny, DType::F16, 1, nullptr, vocab);
        EXPECT_FALSE(s);
        EXPECT_NE(s.message().find("32000"), std::string::npos) << s.message();
    }
    EXPECT_FALSE(write_random_llama(path, tiny, DType::F16, 1, nullptr, dir.file("missing")));
    EXPECT_FALSE(fs::exists(path));
    EXPECT_FALSE(fs::exists(path + ".tmp"));
}

TEST(ModelGen, CommandLineWritesTinyModel) {
    TempDir dir;
    const std::string cli = LAMINA_CLI_PATH;
    const std::string out = dir.file("cli.gguf");
    const std::string quiet = " 2>" + dir.file("stderr.txt");
    EXPECT_EQ(std::system((cli + " gen-model --help >/dev/null").c_str()), 0);
    EXPECT_EQ(std::system(
                  (cli + " gen-model --shape tiny --type bf16 --seed 5 -o " + out + quiet).c_str()),
              0);
    auto r = open_or_fail(out);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->get_uint("general.file_type"), 32u);
    EXPECT_EQ(r->find_tensor("output.weight")->type, DType::BF16);
    EXPECT_NE(std::system((cli + " gen-model --shape nope -o " + out + quiet).c_str()), 0);
    EXPECT_NE(std::system((cli + " gen-model --shape tiny --type q4_0 -o " + out + quiet).c_str()),
              0);
}

}  // namespace
}  // namespace lamina
