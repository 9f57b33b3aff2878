// lamina quantize against llama-quantize's own files of the shared fixture, and round trips.
#include "tools/quantize_model.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <cstring>
#include <fstream>

#include "backend/cpu/cpu_backend.h"
#include "gguf/gguf_reader.h"
#include "model/llama_model.h"
#include "runtime/logits_file.h"
#include "runtime/session.h"
#include "testing/shared_data.h"
#include "testing/temp_dir.h"

namespace lamina {
namespace {

bool file_exists(const std::string& p) {
    struct stat st;
    return ::stat(p.c_str(), &st) == 0;
}

// Largest relative row error of the model's logits against a reference, over the reference's
// tokens fed one at a time.
double worst_error(const std::string& model_path, const LogitsFile& ref, int32_t n_rows) {
    auto m = LlamaModel::load(model_path);
    EXPECT_TRUE(m) << m.error();
    if (!m) return 1e9;
    CpuBackend be(2);
    Session s(**m, be, 512);
    double worst = 0;
    for (int32_t p = 0; p < n_rows; ++p) {
        const int32_t one[1] = {ref.tokens[(size_t)p]};
        EXPECT_TRUE(s.eval(one).is_ok());
        if (p < ref.first_row) continue;
        double d = 0, r = 0;
        for (int32_t i = 0; i < ref.n_vocab; ++i) {
            const double a = s.logits(0)[i], b = ref.row(p)[i];
            d += (a - b) * (a - b);
            r += b * b;
        }
        worst = std::max(worst, std::sqrt(d / r));
    }
    return worst;
}

// Our Q8_0, Q4_0 and Q4_K_M files choose the same type for every tensor as llama-quantize and
// hold the same bytes: quantization is deterministic and defined by the format.
TEST(QuantizeModel, ReproducesLlamaQuantizeFiles) {
    LAMINA_SHARED_FILE_OR_SKIP(f16, "fixtures/rand-fix256-f16.gguf");
    testing::TempDir dir;
    for (const char* name : {"Q8_0", "Q4_0", "Q4_K_M"}) {
        SCOPED_TRACE(name);
        LAMINA_SHARED_FILE_OR_SKIP(theirs, std::string("fixtures/rand-fix256-") + name + ".gguf");
        auto target = find_quant_target(name);
        ASSERT_TRUE(target) << target.error();
        const std::string ours = dir.file(std::string(name) + ".gguf");
        ASSERT_TRUE(quantize_model(f16, ours, *target, 2, nullptr, nullptr).is_ok());
        auto a = GgufReader::open(ours);
        auto b = GgufReader::open(theirs);
        ASSERT_TRUE(a && b);
        EXPECT_EQ((*a)->get_uint("general.file_type"), (*b)->get_uint("general.file_type"));
        ASSERT_EQ((*a)->tensors().size(), (*b)->tensors().size());
        size_t same_bytes = 0, total = 0;
        for (const GgufTensorInfo& t : (*b)->tensors()) {
            const GgufTensorInfo* o = (*a)->find_tensor(t.name);
            ASSERT_NE(o, nullptr) << t.name;
            EXPECT_EQ(type_name(o->type), std::string(type_name(t.type))) << t.name;
            if (o->type != t.type) continue;
            total += t.nbytes;
            same_bytes += std::memcmp((*a)->tensor_data(*o), (*b)->tensor_data(t), t.nbytes) == 0
                              ? t.nbytes
                              : 0;
        }
        EXPECT_EQ(same_bytes, total) << "tensor bytes differ from llama-quantize's";
    }
}

double row_error(const float* a, const float* b, int32_t n) {
    double d = 0, r = 0;
    for (int32_t i = 0; i < n; ++i) {
        d += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
        r += (double)b[i] * b[i];
    }
    return std::sqrt(d / r);
}

// How far llama.cpp's own logits for its quantized file are from its F16 logits, over the rows
// where both runs saw the same tokens.
double llama_cpp_distance(const LogitsFile& f16, const LogitsFile& q, int32_t n_rows) {
    double worst = 0;
    for (int32_t p = 0; p < n_rows; ++p) {
        if (p >= f16.first_row && p >= q.first_row)
            worst = std::max(worst, row_error(q.row(p), f16.row(p), f16.n_vocab));
    }
    return worst;
}

// Every available single type and mix: the file reads back with the intended types and runs,
// and its logits stay as near llama.cpp's F16 logits as llama.cpp's own file of that type
// (where the fixtures have one), or within a bound that grows as the bits shrink.
TEST(QuantizeModel, EveryTargetRoundTripsAndRuns) {
    LAMINA_SHARED_FILE_OR_SKIP(f16, "fixtures/rand-fix256-f16.gguf");
    LAMINA_SHARED_FILE_OR_SKIP(lgt, "fixtures/rand-fix256-f16.p1.lgt");
    auto ref = read_logits_file(lgt);
    ASSERT_TRUE(ref);
    // llama.cpp's own distances on this fixture set the scale for the bounds below.
    // Rows compared: the prefix where every run saw the same tokens (greedy picks diverge later).
    double theirs[3] = {0, 0, 0};
    const char* theirs_names[3] = {"Q8_0", "Q4_0", "Q4_K_M"};
    std::vector<LogitsFile> refs;
    int32_t n_rows = ref->n_total;
    for (const char* name : theirs_names) {
        LAMINA_SHARED_FILE_OR_SKIP(q, std::string("fixtures/rand-fix256-") + name + ".p1.lgt");
        auto ql = read_logits_file(q);
        ASSERT_TRUE(ql);
        int32_t same = 0;
        while (same < std::min(ref->n_total, ql->n_total) &&
               ref->tokens[(size_t)same] == ql->tokens[(size_t)same])
            ++same;
        n_rows = std::min(n_rows, same);
        refs.push_back(std::move(*ql));
    }
    ASSERT_GE(n_rows, ref->n_prompt);
    std::printf("  comparing the first %d positions\n", n_rows);
    for (int i = 0; i < 3; ++i) {
        theirs[i] = llama_cpp_distance(*ref, refs[(size_t)i], n_rows);
        std::printf("  llama.cpp %-7s distance from its F16 logits: %.3e\n", theirs_names[i],
                    theirs[i]);
    }
    const double q8 = theirs[0], q4 = theirs[1], q4km = theirs[2];
    testing::TempDir dir;
    struct Case {
        const char* name;
        double bound;
    };
    int ran = 0;
    for (Case c : {Case{"F32", 2e-3},
                   {"BF16", q8},
                   {"Q8_0", 1.1 * q8},
                   {"Q6_K", 1.1 * q4km},
                   {"Q5_K_M", 1.1 * q4km},
                   {"Q5_K_S", 1.1 * q4km},
                   {"Q5_0", 1.1 * q4},
                   {"Q5_1", 1.1 * q4},
                   {"Q4_K_M", 1.1 * q4km},
                   {"Q4_K_S", 1.2 * q4km},
                   {"Q4_0", 1.1 * q4},
                   {"Q4_1", 1.1 * q4},
                   {"IQ4_NL", 1.1 * q4},
                   {"IQ4_XS", 1.1 * q4},
                   {"Q3_K_M", 2.0 * q4},
                   {"Q2_K", 4.0 * q4}}) {
        SCOPED_TRACE(c.name);
        auto target = find_quant_target(c.name);
        if (!target) {
            std::printf("  %-7s not available: %s\n", c.name, target.error().c_str());
            continue;
        }
        const std::string out = dir.file(std::string(c.name) + ".gguf");
        ASSERT_TRUE(quantize_model(f16, out, *target, 2, nullptr, nullptr).is_ok());
        auto g = GgufReader::open(out);
        ASSERT_TRUE(g) << g.error();
        const int n_layer = 2;
        for (const GgufTensorInfo& t : (*g)->tensors()) {
            const int layer = t.name.rfind("blk.", 0) == 0 ? std::atoi(t.name.c_str() + 4) : -1;
            EXPECT_EQ(t.type,
                      choose_tensor_type(*target, t.name, t.n_dims, t.ne[0], layer, n_layer))
                << t.name;
            if (t.n_dims == 1) {
                EXPECT_EQ(t.type, DType::F32) << t.name;
            }
        }
        const double err = worst_error(out, *ref, n_rows);
        std::printf("  %-7s worst logits row error vs llama.cpp F16: %.3e (bound %.3e)\n", c.name,
                    err, c.bound);
        EXPECT_LT(err, c.bound);
        ++ran;
    }
    EXPECT_GE(ran, 3);
}

TEST(QuantizeModel, ErrorsLeaveNoOutput) {
    testing::TempDir dir;
    EXPECT_FALSE(find_quant_target("Q9_9"));
    // A truncated input is rejected before anything is written.
    const std::string bad = dir.file("bad.gguf");
    std::ofstream(bad) << "GGUF\x03";
    auto target = find_quant_target("F16");
    ASSERT_TRUE(target);
    const std::string out = dir.file("out.gguf");
    Status s = quantize_model(bad, out, *target, 1, nullptr, nullptr);
    EXPECT_FALSE(s.is_ok());
    EXPECT_FALSE(file_exists(out));
    EXPECT_FALSE(file_exists(out + ".tmp"));
}

TEST(QuantizeModel, MixesKeepSensitiveTensorsAtHigherPrecision) {
    auto m = find_quant_target("Q4_K_M");
    if (!m) GTEST_SKIP() << m.error();
    // 22 blocks, as TinyLlama: llama.cpp's rule gives blocks 0-1, 19-21 and every third between.
    EXPECT_EQ(choose_tensor_type(*m, "blk.0.attn_v.weight", 2, 2048, 0, 22), DType::Q6_K);
    EXPECT_EQ(choose_tensor_type(*m, "blk.2.attn_v.weight", 2, 2048, 2, 22), DType::Q4_K);
    EXPECT_EQ(choose_tensor_type(*m, "blk.4.ffn_down.weight", 2, 5632, 4, 22), DType::Q6_K);
    EXPECT_EQ(choose_tensor_type(*m, "blk.20.ffn_down.weight", 2, 5632, 20, 22), DType::Q6_K);
    EXPECT_EQ(choose_tensor_type(*m, "blk.5.attn_q.weight", 2, 2048, 5, 22), DType::Q4_K);
    EXPECT_EQ(choose_tensor_type(*m, "output.weight", 2, 2048, -1, 22), DType::Q6_K);
    EXPECT_EQ(choose_tensor_type(*m, "blk.5.attn_norm.weight", 1, 2048, 5, 22), DType::F32);
    // A row of 5632 is not a multiple of 256 for Q4_K... it is (22 x 256); 5600 is not.
    EXPECT_EQ(choose_tensor_type(*m, "blk.5.ffn_up.weight", 2, 5600, 5, 22), DType::Q5_0);
}

}  // namespace
}  // namespace lamina
