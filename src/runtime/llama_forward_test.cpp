// The Llama forward pass against llama.cpp's logits for the shared fixture models.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/interleave.h"
#include "backend/cpu/kernels.h"
#include "backend/cpu/weight_layout.h"
#include "model/llama_model.h"
#include "tools/model_gen.h"
#include "runtime/logits_file.h"
#include "runtime/session.h"
#include "testing/shared_data.h"
#include "testing/temp_dir.h"
#include "tools/model_gen.h"

namespace lamina {
namespace {

double relative_error(const float* a, const float* b, int64_t n) {
    double diff = 0, ref = 0;
    for (int64_t i = 0; i < n; ++i) {
        diff += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
        ref += (double)b[i] * b[i];
    }
    return std::sqrt(diff / ref);
}

int64_t argmax(const float* x, int64_t n) {
    int64_t best = 0;
    for (int64_t i = 1; i < n; ++i)
        if (x[i] > x[best]) best = i;
    return best;
}

struct Comparison {
    double worst = 0;
    int greedy_checked = 0, greedy_same = 0;
};

// How the prompt goes in: as one batch with every position's logits, as one batch with only the
// last position's (the last layer then runs its queries and feed-forward for that token alone),
// or token by token.
enum class Feed { BatchAll, BatchLast, OneByOne };

const char* feed_name(Feed f) {
    return f == Feed::BatchAll ? "batched" : f == Feed::BatchLast ? "batched-last" : "one-by-one";
}

// Feeds the reference tokens as `feed` says, then the rest one at a time, and compares each
// logits row that the reference stores and the session returned; greedy picks are compared
// where the reference's next token was generated greedily.
Comparison compare(LlamaModel& model, const LogitsFile& ref, Feed feed, int threads) {
    CpuBackend backend(threads);
    Session session(model, backend, 512);
    Comparison c;
    auto check_row = [&](int32_t pos, const float* row) {
        if (pos < ref.first_row) return;
        c.worst = std::max(c.worst, relative_error(row, ref.row(pos), ref.n_vocab));
        if (pos + 1 >= ref.n_prompt && pos + 1 < ref.n_total) {
            ++c.greedy_checked;
            c.greedy_same += argmax(row, ref.n_vocab) == ref.tokens[(size_t)pos + 1];
        }
    };
    int32_t pos = 0;
    std::span<const int32_t> prompt(ref.tokens.data(), (size_t)ref.n_prompt);
    if (feed == Feed::BatchAll) {
        EXPECT_TRUE(session.eval(prompt, true).is_ok());
        for (; pos < ref.n_prompt; ++pos) check_row(pos, session.logits(pos));
    } else if (feed == Feed::BatchLast) {
        EXPECT_TRUE(session.eval(prompt, false).is_ok());
        pos = ref.n_prompt;
        check_row(pos - 1, session.logits(0));
    }
    for (; pos < ref.n_total; ++pos) {
        const int32_t one[1] = {ref.tokens[(size_t)pos]};
        EXPECT_TRUE(session.eval(one).is_ok());
        check_row(pos, session.logits(0));
    }
    return c;
}

class LlamaForward : public ::testing::TestWithParam<const char*> {};

TEST_P(LlamaForward, MatchesLlamaCppLogits) {
    const std::string name = GetParam();
    LAMINA_SHARED_FILE_OR_SKIP(model_path, "fixtures/rand-fix256-" + name + ".gguf");
    // Read into memory (where Q4_0, Q8_0 and Q4_K matrices are interleaved for the kernels that
    // prefer it) and memory-mapped (GGUF's layout as it is in the file).
    for (LoadMode mode : {LoadMode::Read, LoadMode::Map}) {
        SCOPED_TRACE(mode == LoadMode::Read ? "read" : "mapped");
        auto model = LlamaModel::load(model_path, nullptr, mode);
        ASSERT_TRUE(model) << model.error();
        {
            CpuBackend backend(1);
            ASSERT_TRUE((*model)->store_weights(backend).is_ok());
        }
        const Weight& down = (*model)->layers[0].ffn_down;
        const bool interleaved = mode == LoadMode::Read &&
                                 quant::can_interleave(down.type, down.ne[0], down.ne[1]) &&
                                 cpu_prefers_interleaved(down.type);
        EXPECT_EQ(down.backend_record == &kCpuInterleaved, interleaved);
        // F16 is held to llama.cpp's float precision; quantized files to the quantization error.
        const double tol = name == "f16" ? 2e-3 : 3e-2;
        for (const char* prompt : {"p1", "p2"}) {
            LAMINA_SHARED_FILE_OR_SKIP(lgt_path,
                                       "fixtures/rand-fix256-" + name + "." + prompt + ".lgt");
            auto ref = read_logits_file(lgt_path);
            ASSERT_TRUE(ref) << ref.error();
            ASSERT_EQ(ref->n_vocab, (*model)->hparams().n_vocab);
            for (Feed feed : {Feed::BatchAll, Feed::BatchLast, Feed::OneByOne}) {
                for (int threads : {1, 2}) {
                    SCOPED_TRACE(std::string(prompt) + " " + feed_name(feed) +
                                 " threads=" + std::to_string(threads));
                    Comparison c = compare(**model, *ref, feed, threads);
                    std::printf(
                        "  %s %s %s threads=%d: worst row relative error %.2e, greedy %d/%d\n",
                        name.c_str(), prompt, feed_name(feed), threads, c.worst, c.greedy_same,
                        c.greedy_checked);
                    EXPECT_LT(c.worst, tol);
                    EXPECT_GT(c.greedy_checked, 0);
                    if (name == "f16") {
                        EXPECT_EQ(c.greedy_same, c.greedy_checked);
                    } else {
                        EXPECT_GE(c.greedy_same, c.greedy_checked - 1);
                    }
                }
            }
        }
    }
}

// Read into memory, F16 matrices are stored in row tiles where the CPU's kernels read those
// (AVX-512), else those with rows longer than kGemmColumnBlock (here the down projection's) are
// split into column blocks where the CPU has matrix-vector kernels for them; mapped, they stay
// whole rows. Both give the same logits, batched (the GEMM) and token by token (the
// matrix-vector kernels), to float rounding.
TEST(LlamaForwardLayouts, LoadTimeLayoutsGiveTheLogitsOfWholeRows) {
    testing::TempDir dir;
    const std::string path = dir.file("long-rows.gguf");
    ModelShape shape = *find_model_shape("tiny");
    shape.ffn_dim = kGemmColumnBlock + 256;
    ASSERT_TRUE(write_random_llama(path, shape, DType::F16, 7));
    const std::vector<int32_t> tokens = {1, 300, 17, 42, 99, 5, 260, 311, 77, 123, 4};
    std::vector<std::vector<float>> rows[2];
    for (LoadMode mode : {LoadMode::Read, LoadMode::Map}) {
        auto model = LlamaModel::load(path, nullptr, mode);
        ASSERT_TRUE(model) << model.error();
        CpuBackend backend(2);
        ASSERT_TRUE((*model)->store_weights(backend).is_ok());
        const Weight& down = (*model)->layers[1].ffn_down;
        const bool read = mode == LoadMode::Read;
        const int32_t want_tile = read ? (int32_t)cpu_row_tile(DType::F16, down.ne[1]) : 0;
        const int32_t want_block =
            read && want_tile == 0 ? (int32_t)cpu_column_block(DType::F16, shape.ffn_dim) : 0;
        auto layout = [](const Weight& w) {
            Tensor t;
            t.backend_record = w.backend_record;
            return cpu_layout(t);
        };
        EXPECT_EQ(layout(down).row_tile, want_tile);
        EXPECT_EQ(layout(down).col_block, want_block);
        EXPECT_EQ(layout((*model)->layers[1].ffn_up).col_block, 0);  // rows of dim
        EXPECT_EQ(layout((*model)->layers[1].wq).row_tile, want_tile);
        Session session(**model, backend, 64);
        const int64_t n_vocab = (*model)->hparams().n_vocab;
        auto& out = rows[mode == LoadMode::Read ? 0 : 1];
        ASSERT_TRUE(session.eval(std::span(tokens).first(8), true).is_ok());
        for (int64_t r = 0; r < 8; ++r)
            out.emplace_back(session.logits(r), session.logits(r) + n_vocab);
        for (size_t i = 8; i < tokens.size(); ++i) {
            ASSERT_TRUE(session.eval(std::span(tokens).subspan(i, 1)).is_ok());
            out.emplace_back(session.logits(0), session.logits(0) + n_vocab);
        }
    }
    ASSERT_EQ(rows[0].size(), rows[1].size());
    for (size_t r = 0; r < rows[0].size(); ++r)
        EXPECT_LT(relative_error(rows[0][r].data(), rows[1][r].data(), (int64_t)rows[0][r].size()),
                  1e-5)
            << "row " << r;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, LlamaForward, ::testing::Values("f16", "Q8_0", "Q4_0", "Q4_K_M"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace lamina
