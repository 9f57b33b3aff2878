// The Scheduler on small hand-built graphs: parts, copies between them, and refusals.
#include "backend/scheduler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/weight_layout.h"
#include "backend/reference/reference_backend.h"

namespace lamina {
namespace {

std::vector<float> random_floats(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> d(-1.0f, 1.0f);
    std::vector<float> v(n);
    for (float& x : v) x = d(rng);
    return v;
}

constexpr int64_t K = 64, M = 3;

// Two F32 weight matrices [K, K] (layers 0 and 1) and a norm gain, in host memory.
struct Weights {
    std::vector<float> w0 = random_floats(K * K, 1), w1 = random_floats(K * K, 2),
                       gain = random_floats(K, 3);
    Tensor* leaf(Graph& g, std::vector<float>& v, int64_t n1) {
        const int64_t ne[2] = {K, n1};
        return g.external(DType::F32, ne, n1 > 1 ? 2 : 1, v.data());
    }
};

// out = w1 * (rms_norm(w0 * x) * gain) + w0 * x, the products' input x an input tensor.
std::vector<float> run(Backend& b, Weights& w, const std::vector<float>& x) {
    Graph g;
    Tensor* xt = g.input(DType::F32, {K, M}, "x");
    Tensor* h = g.mul_mat(w.leaf(g, w.w0, K), xt);
    Tensor* n = g.rms_norm(h, 1e-5f, w.leaf(g, w.gain, 1));
    Tensor* out = g.add(g.mul_mat(w.leaf(g, w.w1, K), n), h);
    out->is_output = true;
    EXPECT_TRUE(b.allocate(g).is_ok());
    std::copy(x.begin(), x.end(), static_cast<float*>(xt->data));
    EXPECT_TRUE(b.compute(g).is_ok());
    const float* o = static_cast<const float*>(out->data);
    return std::vector<float>(o, o + K * M);
}

// Stores the weights through the backend as a model does (layer 0: w0, layer 1: w1 and gain).
void store(Backend& b, Weights& w) {
    const std::pair<std::vector<float>*, int> weights[] = {{&w.w0, 0}, {&w.w1, 1}, {&w.gain, 1}};
    for (auto [v, layer] : weights) {
        Tensor t;
        t.ne[0] = K;
        t.ne[1] = v->size() > (size_t)K ? K : 1;
        t.set_contiguous_strides();
        t.data = v->data();
        ASSERT_TRUE(b.store_weight(t, {layer, t.ne[1] > 1, true}).is_ok());
    }
}

TEST(Scheduler, PartsOnTwoBackendsComputeWhatOneComputes) {
    const std::vector<float> x = random_floats(K * M, 4);
    Weights wa, wb;
    CpuBackend cpu(2);
    const std::vector<float> want = run(cpu, wa, x);

    CpuBackend cpu_part(2);
    ReferenceBackend reference;
    Scheduler sched({&cpu_part, &reference}, [](int layer) { return layer == 1 ? 1u : 0u; });
    store(sched, wb);
    const std::vector<float> got = run(sched, wb, x);
    // The first product on the CPU, the norm (reading a layer 1 gain) and the rest on the
    // reference backend, which reads the first product's result through one copy.
    const auto parts = sched.parts();
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(parts[0].backend, 0u);
    EXPECT_EQ(parts[0].n_nodes, 1u);
    EXPECT_EQ(parts[1].backend, 1u);
    EXPECT_EQ(parts[1].n_copies_in, 1u);
    for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-4f) << i;
}

// A weight the CPU backend rearranged into its own layout cannot be handed to, or computed
// by, the reference backend.
TEST(Scheduler, AWeightInAnotherBackendsLayoutIsRefused) {
    ReferenceBackend reference;
    Tensor w;
    w.type = DType::Q4_0;
    w.ne[0] = 64;
    w.ne[1] = 8;
    w.set_contiguous_strides();
    w.backend_record = &kCpuInterleaved;
    EXPECT_FALSE(reference.store_weight(w, {0, true, true}).is_ok());
    Graph g;
    Tensor* wt = g.external(w.type, w.ne, 2, nullptr);
    wt->backend_record = &kCpuInterleaved;
    Tensor* p = g.mul_mat(wt, g.input(DType::F32, {64, 1}));
    EXPECT_FALSE(reference.supports_op(*p));
    CpuBackend cpu(1);
    EXPECT_TRUE(cpu.supports_op(*p));
}

// A node no backend computes fails allocation with a message, not a crash.
TEST(Scheduler, ANodeNoBackendComputesIsAnError) {
    ReferenceBackend reference;
    Scheduler sched({&reference}, [](int) { return 0u; });
    Graph g;
    Tensor* a = g.input(DType::F32, {8, 2});
    Tensor* c = g.cont(g.transpose(a));
    std::vector<int32_t> dst(16);
    const int64_t ne[1] = {16};
    Tensor* bad = g.external(DType::I32, ne, 1, dst.data());  // no reference copy into I32
    g.copy(c, bad);
    const Status s = sched.allocate(g);
    EXPECT_FALSE(s.is_ok());
    EXPECT_NE(s.message().find("no backend"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace lamina
