// Against llama.cpp's own output: the shared fixtures hold the same random weights as F16 and as
// quantized by llama-quantize. Re-quantizing the F16 tensors with lamina's from_float must give
// (almost) the same bytes, and dequantizing llama.cpp's tensors must land close to the F16 values.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gguf/gguf_reader.h"
#include "quant/type_traits.h"
#include "testing/shared_data.h"

namespace lamina {
namespace {

struct TypeStats {
    int64_t blocks = 0;
    int64_t identical_blocks = 0;
    double err2 = 0, ref2 = 0;  // dequantized llama.cpp tensor vs F16 original
};

std::unique_ptr<GgufReader> open_or_fail(const std::string& path) {
    auto r = GgufReader::open(path);
    if (!r) {
        ADD_FAILURE() << r.error();
        return nullptr;
    }
    return std::move(r.value());
}

std::vector<float> tensor_as_float(const GgufReader& g, const GgufTensorInfo& t) {
    std::vector<float> out((size_t)t.n_elements());
    type_traits(t.type).to_float(g.tensor_data(t), out.data(), t.n_elements());
    return out;
}

// Compares every tensor of a llama.cpp-quantized file whose type lamina implements.
std::map<DType, TypeStats> compare_file(const std::string& f16_path, const std::string& q_path) {
    std::map<DType, TypeStats> stats;
    auto f16 = open_or_fail(f16_path);
    auto q = open_or_fail(q_path);
    if (!f16 || !q) return stats;
    for (const GgufTensorInfo& t : q->tensors()) {
        const TypeTraits& tt = type_traits(t.type);
        if (!tt.is_quantized) continue;
        const GgufTensorInfo* orig = f16->find_tensor(t.name);
        if (!orig || orig->n_elements() != t.n_elements()) {
            ADD_FAILURE() << t.name << " has no F16 original of the same size";
            continue;
        }
        EXPECT_NE(tt.from_float, nullptr) << tt.name;
        if (!tt.from_float) continue;
        const std::vector<float> x = tensor_as_float(*f16, *orig);
        std::vector<uint8_t> mine(t.nbytes);
        if (t.nbytes != row_size(t.type, t.n_elements())) {
            ADD_FAILURE() << t.name << ": byte size does not match its type";
            continue;
        }
        tt.from_float(x.data(), mine.data(), t.n_elements());
        TypeStats& s = stats[t.type];
        const uint8_t* theirs = q->tensor_data(t);
        const int64_t nb = t.n_elements() / tt.block_size;
        for (int64_t b = 0; b < nb; ++b) {
            ++s.blocks;
            if (std::memcmp(&mine[b * tt.type_size], theirs + b * tt.type_size, tt.type_size) == 0)
                ++s.identical_blocks;
        }
        const std::vector<float> y = tensor_as_float(*q, t);
        for (size_t i = 0; i < x.size(); ++i) {
            s.err2 += ((double)y[i] - x[i]) * ((double)y[i] - x[i]);
            s.ref2 += (double)x[i] * x[i];
        }
    }
    return stats;
}

void check(const std::map<DType, TypeStats>& stats, DType t, double min_identical,
           double max_rel_err) {
    ASSERT_TRUE(stats.count(t)) << "no " << type_name(t) << " tensors in the file";
    const TypeStats& s = stats.at(t);
    const double identical = (double)s.identical_blocks / (double)s.blocks;
    const double rel = std::sqrt(s.err2 / s.ref2);
    std::printf("[ FIXTURE  ] %-5s blocks %8lld identical %.6f  dequant rel. error %.5f\n",
                type_name(t), (long long)s.blocks, identical, rel);
    EXPECT_GE(identical, min_identical) << type_name(t);
    EXPECT_LT(rel, max_rel_err) << type_name(t);
}

TEST(QuantGgufFixtureTest, Q8_0MatchesLlamaQuantize) {
    LAMINA_SHARED_FILE_OR_SKIP(f16, "fixtures/rand-fix256-f16.gguf");
    LAMINA_SHARED_FILE_OR_SKIP(q, "fixtures/rand-fix256-Q8_0.gguf");
    const auto stats = compare_file(f16, q);
    check(stats, DType::Q8_0, 0.9999, 0.01);
}

TEST(QuantGgufFixtureTest, Q4_0MatchesLlamaQuantize) {
    LAMINA_SHARED_FILE_OR_SKIP(f16, "fixtures/rand-fix256-f16.gguf");
    LAMINA_SHARED_FILE_OR_SKIP(q, "fixtures/rand-fix256-Q4_0.gguf");
    const auto stats = compare_file(f16, q);
    check(stats, DType::Q4_0, 0.9999, 0.12);
}

TEST(QuantGgufFixtureTest, Q4_KAndQ6_KMatchLlamaQuantize) {
    LAMINA_SHARED_FILE_OR_SKIP(f16, "fixtures/rand-fix256-f16.gguf");
    LAMINA_SHARED_FILE_OR_SKIP(q, "fixtures/rand-fix256-Q4_K_M.gguf");
    const auto stats = compare_file(f16, q);
    check(stats, DType::Q4_K, 0.9999, 0.10);
    check(stats, DType::Q6_K, 0.9999, 0.03);
}

}  // namespace
}  // namespace lamina
