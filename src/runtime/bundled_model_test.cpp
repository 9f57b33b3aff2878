// Tests of the model trained by tools/train/ and committed as models/lamina-kjv.gguf.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "backend/cpu/cpu_backend.h"
#include "model/llama_model.h"
#include "runtime/perplexity.h"
#include "runtime/session.h"
#include "sampling/sampler.h"
#include "tokenizer/tokenizer.h"

namespace lamina {
namespace {

const std::string kModel = LAMINA_DEFAULT_MODEL;
const std::string kTrainDir = std::string(LAMINA_SOURCE_DIR) + "/tools/train/";

std::string read_text(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

struct Bundled {
    std::unique_ptr<LlamaModel> model;
    std::unique_ptr<Tokenizer> tok;
};

Bundled load_bundled() {
    Bundled b;
    auto m = LlamaModel::load(kModel);
    EXPECT_TRUE(m) << m.error();
    if (!m) return b;
    b.model = std::move(*m);
    auto t = Tokenizer::from_gguf(b.model->gguf());
    EXPECT_TRUE(t) << t.error();
    if (t) b.tok = std::move(*t);
    return b;
}

std::vector<TokenId> generate(const Bundled& b, const std::string& prompt, float temp,
                              uint64_t seed, int n) {
    CpuBackend backend(1);
    Session s(*b.model, backend);
    SamplerParams sp;
    sp.temp = temp;
    sp.seed = seed;
    Sampler sampler(sp);
    std::vector<TokenId> toks = b.tok->encode(prompt, true, false);
    EXPECT_TRUE(s.eval(toks));
    std::vector<TokenId> out;
    for (int i = 0; i < n; ++i) {
        const TokenId t = sampler.sample(s.logits(0), (int)s.n_vocab());
        sampler.accept(t);
        out.push_back(t);
        const TokenId one[1] = {t};
        EXPECT_TRUE(s.eval(one));
    }
    return out;
}

TEST(BundledModel, LoadsWithItsTokenizer) {
    Bundled b = load_bundled();
    ASSERT_TRUE(b.model && b.tok);
    EXPECT_EQ(b.tok->n_vocab(), b.model->hparams().n_vocab);
    EXPECT_EQ(b.model->hparams().n_ctx_train, 256);
    EXPECT_EQ(b.model->main_type(), DType::F16);
}

TEST(BundledModel, GeneratesDeterministicallyUnderAFixedSeed) {
    Bundled b = load_bundled();
    ASSERT_TRUE(b.model && b.tok);
    const auto a = generate(b, "And God said", 0.8f, 42, 24);
    const auto c = generate(b, "And God said", 0.8f, 42, 24);
    EXPECT_EQ(a, c);
    const auto g = generate(b, "And God said", 0.0f, 0, 24);
    EXPECT_EQ(g, generate(b, "And God said", 0.0f, 7, 24));  // greedy ignores the seed
    EXPECT_FALSE(b.tok->decode(g).empty());
}

// The training script scored tools/train/heldout_excerpt.txt (never trained on) with its PyTorch
// reference forward, by the same method, and wrote the figure to heldout_excerpt_ppl.txt.
TEST(BundledModel, HeldOutPerplexityMatchesTheTrainingScript) {
    Bundled b = load_bundled();
    ASSERT_TRUE(b.model && b.tok);
    const std::string text = read_text(kTrainDir + "heldout_excerpt.txt");
    const double want = std::stod(read_text(kTrainDir + "heldout_excerpt_ppl.txt"));
    ASSERT_GT(text.size(), 1000u);
    const std::vector<TokenId> tokens = b.tok->encode(text, true, false);
    CpuBackend backend(2);
    PerplexityOptions opt;
    opt.n_ctx = 128;
    auto r = compute_perplexity(*b.model, backend, tokens, b.tok->bos(), opt, nullptr);
    ASSERT_TRUE(r) << r.error();
    EXPECT_NEAR(r->ppl, want, 0.01 * want);
}

}  // namespace
}  // namespace lamina
