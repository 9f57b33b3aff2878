// A model run by two backends at once (the Scheduler), and by the reference backend alone.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "backend/cpu/cpu_backend.h"
#include "backend/reference/reference_backend.h"
#include "backend/scheduler.h"
#include "model/llama_model.h"
#include "tools/model_gen.h"
#include "runtime/logits_file.h"
#include "runtime/session.h"
#include "testing/shared_data.h"
#include "testing/temp_dir.h"

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

// Every logits row of the reference tokens: the prompt as one batch, then the rest one by one
// (the GEMM and the matrix-vector paths).
std::vector<std::vector<float>> logits_rows(LlamaModel& model, Backend& backend,
                                            const LogitsFile& ref) {
    Session session(model, backend, 512);
    std::vector<std::vector<float>> rows;
    const int64_t V = session.n_vocab();
    std::span<const int32_t> prompt(ref.tokens.data(), (size_t)ref.n_prompt);
    EXPECT_TRUE(session.eval(prompt, true).is_ok());
    for (int64_t r = 0; r < ref.n_prompt; ++r)
        rows.emplace_back(session.logits(r), session.logits(r) + V);
    for (int32_t pos = ref.n_prompt; pos < ref.n_total; ++pos) {
        const int32_t one[1] = {ref.tokens[(size_t)pos]};
        EXPECT_TRUE(session.eval(one).is_ok());
        rows.emplace_back(session.logits(0), session.logits(0) + V);
    }
    return rows;
}

class SplitBackends : public ::testing::TestWithParam<const char*> {};

// Even layers on the reference backend (GGUF's layout, scalar kernels), odd layers, the
// embeddings and the output on the CPU backend (its own layouts): the parts alternate, every
// layer's input crosses from one backend to the other, and the logits are the CPU backend's
// alone up to the rounding of the two sets of kernels.
TEST_P(SplitBackends, LayersSplitBetweenReferenceAndCpuGiveTheCpuLogits) {
    const std::string name = GetParam();
    LAMINA_SHARED_FILE_OR_SKIP(model_path, "fixtures/rand-fix256-" + name + ".gguf");
    LAMINA_SHARED_FILE_OR_SKIP(lgt_path, "fixtures/rand-fix256-" + name + ".p1.lgt");
    auto ref = read_logits_file(lgt_path);
    ASSERT_TRUE(ref) << ref.error();
    // Each model read into memory of its own: the CPU backend rearranges what it stores.
    auto cpu_model = LlamaModel::load(model_path, nullptr, LoadMode::Read);
    auto split_model = LlamaModel::load(model_path, nullptr, LoadMode::Read);
    ASSERT_TRUE(cpu_model && split_model);

    CpuBackend cpu(2);
    const auto want = logits_rows(**cpu_model, cpu, *ref);

    CpuBackend cpu_part(2);
    ReferenceBackend reference;
    Scheduler sched({&reference, &cpu_part},
                    [](int layer) { return layer >= 0 && layer % 2 == 0 ? 0u : 1u; });
    const auto got = logits_rows(**split_model, sched, *ref);

    // The last graph (one token) ran in parts alternating between the backends, with copies.
    const auto parts = sched.parts();
    ASSERT_GE(parts.size(), 3u);
    for (size_t i = 1; i < parts.size(); ++i) {
        EXPECT_NE(parts[i].backend, parts[i - 1].backend);
        EXPECT_GT(parts[i].n_copies_in, 0u);
    }
    EXPECT_EQ((*split_model)->layers[0].wq.backend_record, nullptr);  // GGUF's layout

    ASSERT_EQ(got.size(), want.size());
    double worst = 0;
    int same = 0;
    for (size_t r = 0; r < got.size(); ++r) {
        worst =
            std::max(worst, relative_error(got[r].data(), want[r].data(), (int64_t)want[r].size()));
        same += argmax(got[r].data(), (int64_t)got[r].size()) ==
                argmax(want[r].data(), (int64_t)want[r].size());
    }
    std::printf("  %s split: worst row relative error against the CPU %.2e, argmax %d/%zu\n",
                name.c_str(), worst, same, got.size());
    // Both sides quantize activations as llama.cpp does; what differs is the order of float
    // sums, so F16 agrees to float rounding and the quantized files to a few requantized values.
    EXPECT_LT(worst, name == "f16" ? 1e-3 : 2e-2);
    EXPECT_GE(same, (int)got.size() - 1);
}

// The reference backend alone against llama.cpp, held to the fixture tests' tolerances
// (llama_forward_test.cpp).
TEST_P(SplitBackends, ReferenceBackendAloneMatchesLlamaCppLogits) {
    const std::string name = GetParam();
    LAMINA_SHARED_FILE_OR_SKIP(model_path, "fixtures/rand-fix256-" + name + ".gguf");
    LAMINA_SHARED_FILE_OR_SKIP(lgt_path, "fixtures/rand-fix256-" + name + ".p1.lgt");
    auto ref = read_logits_file(lgt_path);
    ASSERT_TRUE(ref) << ref.error();
    auto model = LlamaModel::load(model_path, nullptr, LoadMode::Map);
    ASSERT_TRUE(model) << model.error();
    ReferenceBackend reference;
    const auto got = logits_rows(**model, reference, *ref);
    const double tol = name == "f16" ? 2e-3 : 3e-2;
    double worst = 0;
    int checked = 0, same = 0;
    for (int32_t pos = ref->first_row; pos < ref->n_total; ++pos) {
        worst =
            std::max(worst, relative_error(got[(size_t)pos].data(), ref->row(pos), ref->n_vocab));
        if (pos + 1 >= ref->n_prompt && pos + 1 < ref->n_total) {
            ++checked;
            same += argmax(got[(size_t)pos].data(), ref->n_vocab) == ref->tokens[(size_t)pos + 1];
        }
    }
    std::printf("  %s reference: worst row relative error %.2e, greedy %d/%d\n", name.c_str(),
                worst, same, checked);
    EXPECT_LT(worst, tol);
    EXPECT_GT(checked, 0);
    EXPECT_GE(same, checked - (name == "f16" ? 0 : 1));
}

// The same split on a generated model (no shared data needed), its first layer on the reference
// backend and the second on the CPU backend, prompt and generated tokens.
TEST(SplitBackendsGenerated, FirstLayerOnTheReferenceBackendGivesTheCpuLogits) {
    testing::TempDir dir;
    const std::string path = dir.file("tiny.gguf");
    ASSERT_TRUE(write_random_llama(path, *find_model_shape("tiny"), DType::F16, 3));
    LogitsFile tokens;  // only its tokens drive logits_rows
    tokens.tokens = {1, 300, 17, 42, 99, 5, 260, 311, 77, 123, 4};
    tokens.n_prompt = 7;
    tokens.n_total = (int32_t)tokens.tokens.size();
    auto cpu_model = LlamaModel::load(path, nullptr, LoadMode::Read);
    auto split_model = LlamaModel::load(path, nullptr, LoadMode::Read);
    ASSERT_TRUE(cpu_model && split_model);
    CpuBackend cpu(2);
    const auto want = logits_rows(**cpu_model, cpu, tokens);
    CpuBackend cpu_part(2);
    ReferenceBackend reference;
    Scheduler sched({&reference, &cpu_part}, [](int layer) { return layer == 0 ? 0u : 1u; });
    const auto got = logits_rows(**split_model, sched, tokens);
    // Embeddings on the CPU, layer 0 on the reference backend, layer 1 and the output on the CPU.
    const auto parts = sched.parts();
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_EQ(parts[1].backend, 0u);
    ASSERT_EQ(got.size(), want.size());
    for (size_t r = 0; r < got.size(); ++r)
        EXPECT_LT(relative_error(got[r].data(), want[r].data(), (int64_t)want[r].size()), 1e-3)
            << "row " << r;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, SplitBackends,
                         ::testing::Values("f16", "Q8_0", "Q4_0", "Q4_K_M"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace lamina
