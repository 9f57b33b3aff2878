#include "runtime/perplexity.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "backend/cpu/cpu_backend.h"
#include "runtime/kl_base_file.h"
#include "testing/temp_dir.h"
#include "testing/tiny_llama2c.h"
#include "tools/llama2c_convert.h"

namespace lamina {
namespace {

using testing::TempDir;
using testing::TinyLlama2c;

void write_bytes(const std::string& path, const std::vector<uint8_t>& b) {
    std::ofstream f(path, std::ios::binary);
    f.write((const char*)b.data(), (std::streamsize)b.size());
}

class PerplexityTiny : public ::testing::Test {
  protected:
    void SetUp() override {
        tiny_.make_weights(99);
        write_bytes(dir_.file("m.bin"), tiny_.bin_bytes());
        write_bytes(dir_.file("tok.bin"), tiny_.tokenizer_bytes());
        Llama2cConvertOptions opt;
        opt.type = DType::F32;
        ASSERT_TRUE(
            convert_llama2c(dir_.file("m.bin"), dir_.file("tok.bin"), dir_.file("m.gguf"), opt));
        auto m = LlamaModel::load(dir_.file("m.gguf"));
        ASSERT_TRUE(m) << m.error();
        model_ = std::move(*m);
        for (int i = 0; i < 27; ++i) tokens_.push_back((i * 37 + 11) % tiny_.vocab);
    }
    TinyLlama2c tiny_;
    TempDir dir_;
    std::unique_ptr<LlamaModel> model_;
    std::vector<TokenId> tokens_;
    CpuBackend backend_{1};
};

TEST_F(PerplexityTiny, MatchesHandComputedWindowsWithReferenceForward) {
    PerplexityOptions opt;
    opt.n_ctx = 8;
    opt.n_batch = 3;  // windows span several batches
    std::vector<double> seen;
    auto r = compute_perplexity(*model_, backend_, tokens_, 1, opt,
                                [&](int64_t, int64_t, double p) { seen.push_back(p); });
    ASSERT_TRUE(r) << r.error();
    // 27 tokens -> 3 windows of 8; each scores tokens 5..7 from rows 4..6.
    double nll = 0, nll2 = 0;
    int n = 0;
    std::vector<double> running;
    for (int w = 0; w < 3; ++w) {
        std::vector<int32_t> win(tokens_.begin() + 8 * w, tokens_.begin() + 8 * w + 8);
        win[0] = 1;
        const auto logits = tiny_.forward(win);
        for (int j = 4; j < 7; ++j) {
            double mx = -1e300, sum = 0;
            for (double v : logits[j]) mx = std::max(mx, v);
            for (double v : logits[j]) sum += std::exp(v - mx);
            const double v = -(logits[j][win[j + 1]] - mx - std::log(sum));
            nll += v;
            nll2 += v * v;
            ++n;
        }
        running.push_back(std::exp(nll / n));
    }
    const double mean = nll / n, var = nll2 / n - mean * mean;
    EXPECT_EQ(r->n_windows, 3);
    EXPECT_EQ(r->n_scored, 9);
    EXPECT_NEAR(r->ppl, std::exp(mean), 1e-3 * std::exp(mean));
    EXPECT_NEAR(r->ppl_uncertainty, std::sqrt(var / (n - 1)) * std::exp(mean),
                1e-3 * std::exp(mean));
    ASSERT_EQ(seen.size(), 3u);
    for (int w = 0; w < 3; ++w) EXPECT_NEAR(seen[w], running[w], 1e-3 * running[w]);
}

TEST_F(PerplexityTiny, KlDivergenceAgainstItsOwnBaseIsZero) {
    PerplexityOptions opt;
    opt.n_ctx = 8;
    KlBaseFile base;
    auto r1 = compute_perplexity(*model_, backend_, tokens_, 1, opt, nullptr, &base);
    ASSERT_TRUE(r1) << r1.error();
    ASSERT_TRUE(write_kl_base_file(dir_.file("base.lkl"), base));
    auto read = read_kl_base_file(dir_.file("base.lkl"));
    ASSERT_TRUE(read) << read.error();
    EXPECT_EQ(read->logits, base.logits);
    auto r2 = compute_perplexity(*model_, backend_, tokens_, 1, opt, nullptr, nullptr, &*read);
    ASSERT_TRUE(r2) << r2.error();
    EXPECT_NEAR(r2->kl_mean, 0.0, 1e-9);
    EXPECT_DOUBLE_EQ(r2->same_top, 1.0);

    // A base made from other tokens is refused.
    std::vector<TokenId> other = tokens_;
    other[3] = (other[3] + 1) % tiny_.vocab;
    EXPECT_FALSE(compute_perplexity(*model_, backend_, other, 1, opt, nullptr, nullptr, &*read));
}

TEST_F(PerplexityTiny, TooFewTokensIsAnError) {
    PerplexityOptions opt;
    opt.n_ctx = 64;
    auto r = compute_perplexity(*model_, backend_, tokens_, 1, opt, nullptr);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("fewer than one window"), std::string::npos) << r.error();
}

TEST(KlBaseFile, RejectsMalformedFiles) {
    TempDir dir;
    KlBaseFile k;
    k.n_vocab = 3;
    k.n_ctx = 4;
    k.n_windows = 1;
    k.tokens = {1, 2, 0, 1};
    k.logits = {0.5f, 1.5f, -1.0f};  // one row per window for n_ctx 4
    ASSERT_TRUE(write_kl_base_file(dir.file("k.lkl"), k));
    std::string bytes;
    {
        std::ifstream f(dir.file("k.lkl"), std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(f), {});
    }
    auto write = [&](const std::string& b) {
        std::ofstream f(dir.file("bad.lkl"), std::ios::binary);
        f << b;
    };
    write(bytes.substr(0, bytes.size() - 1));
    EXPECT_FALSE(read_kl_base_file(dir.file("bad.lkl")));
    write("XKL1" + bytes.substr(4));
    EXPECT_FALSE(read_kl_base_file(dir.file("bad.lkl")));
    std::string neg = bytes;
    const int32_t minus = -1;
    std::memcpy(neg.data() + 4, &minus, 4);
    write(neg);
    EXPECT_FALSE(read_kl_base_file(dir.file("bad.lkl")));
    EXPECT_FALSE(read_kl_base_file(dir.file("missing.lkl")));
}

}  // namespace
}  // namespace lamina
