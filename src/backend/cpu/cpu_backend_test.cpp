// CpuBackend's schedule: which barriers between nodes it leaves out, and that the nodes it runs
// without one between them still compute what they compute apart.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/simd_isas_for_test.h"
#include "core/graph.h"
#include "core/types.h"

namespace lamina {
namespace {

std::vector<float> random_floats(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> v(n);
    for (float& x : v) x = dist(rng);
    return v;
}

Tensor* leaf(Graph& g, std::vector<float>& data, int64_t n0, int64_t n1) {
    const int64_t ne[2] = {n0, n1};
    return g.external(DType::F32, ne, 2, data.data());
}

// out[n] = sum_k w[n][k] x[k], in double.
std::vector<double> product(const std::vector<float>& w, const std::vector<float>& x, int64_t N) {
    const size_t K = x.size();
    std::vector<double> out((size_t)N, 0.0);
    for (size_t n = 0; n < (size_t)N; ++n)
        for (size_t k = 0; k < K; ++k) out[n] += (double)w[n * K + k] * x[k];
    return out;
}

void expect_near(const Tensor* t, const std::vector<double>& want, const char* what) {
    const float* got = static_cast<const float*>(t->data);
    for (size_t i = 0; i < want.size(); ++i)
        ASSERT_NEAR(got[i], want[i], 1e-4 * (1.0 + std::fabs(want[i]))) << what << " at " << i;
}


// A generated token's Q, K and V: three products of one activation row, none reading another's
// output, run back to back without barriers; the sum of two of them waits for both, and a
// scaling of the third, independent of that sum, joins it. Repeated, so that a missing
// dependency has chances to show as a wrong value, not only as a wrong count.
TEST(CpuBackendSchedule, IndependentNodesRunWithoutBarriersBetweenThem) {
    const int64_t K = 300, N = 70;
    std::vector<float> x = random_floats(K, 1);
    std::vector<float> w[3] = {random_floats(K * N, 2), random_floats(K * N, 3),
                               random_floats(K * N, 4)};
    std::vector<double> want[3];
    for (int i = 0; i < 3; ++i) want[i] = product(w[i], x, N);
    std::vector<double> sum(N), twice(N);
    for (int64_t n = 0; n < N; ++n) {
        sum[n] = want[0][n] + want[1][n];
        twice[n] = 2.0 * want[2][n];
    }
    for (Isa isa : isas_for_test())
        for (int threads : {1, 2, 3}) {
            SCOPED_TRACE(std::string(isa_name(isa)) + " threads=" + std::to_string(threads));
            CpuBackend be(threads, isa);
            Graph g;
            Tensor* xt = leaf(g, x, K, 1);
            Tensor* p[3];
            for (int i = 0; i < 3; ++i) {
                p[i] = g.mul_mat(leaf(g, w[i], K, N), xt);
                p[i]->is_output = true;
            }
            Tensor* s = g.add(p[0], p[1]);
            Tensor* t = g.scale(p[2], 2.0f);
            s->is_output = t->is_output = true;
            ASSERT_TRUE(be.allocate(g).is_ok());
            for (int rep = 0; rep < 20; ++rep) {
                for (Tensor* o : {p[0], p[1], p[2], s, t})
                    std::fill_n(static_cast<float*>(o->data), N, std::nanf(""));
                ASSERT_TRUE(be.compute(g).is_ok());
                // The second and third products join the first; the scaling joins the sum.
                ASSERT_EQ(be.barriers_skipped(), 3);
                for (int i = 0; i < 3; ++i) expect_near(p[i], want[i], "product");
                expect_near(s, sum, "sum");
                expect_near(t, twice, "scaled");
            }
        }
}

// Nodes that touch each other's memory keep the barrier between them: a product of a product
// (read after write), a copy over the activations a product reads (write after read), two
// copies into one place (write after write). Two copies into disjoint places need none.
TEST(CpuBackendSchedule, NodesSharingMemoryKeepTheirBarriers) {
    const int64_t K = 96;
    for (Isa isa : isas_for_test())
        for (int threads : {1, 3}) {
            SCOPED_TRACE(std::string(isa_name(isa)) + " threads=" + std::to_string(threads));
            std::vector<float> x = random_floats(K, 5), w1 = random_floats(K * K, 6),
                               w2 = random_floats(K * K, 7), y = random_floats(K, 8),
                               y2 = random_floats(K, 9), dst(2 * K, 0.0f);
            const std::vector<double> first = product(w1, x, K);
            std::vector<float> first_f(first.begin(), first.end());
            const std::vector<double> second = product(w2, first_f, K);
            {
                SCOPED_TRACE("read after write");
                CpuBackend be(threads, isa);
                Graph g;
                Tensor* a = g.mul_mat(leaf(g, w1, K, K), leaf(g, x, K, 1));
                Tensor* b = g.mul_mat(leaf(g, w2, K, K), a);
                b->is_output = true;
                ASSERT_TRUE(be.allocate(g).is_ok());
                ASSERT_TRUE(be.compute(g).is_ok());
                EXPECT_EQ(be.barriers_skipped(), 0);
                // The second product's inputs carry the first's float rounding.
                const float* got = static_cast<const float*>(b->data);
                for (int64_t n = 0; n < K; ++n)
                    ASSERT_NEAR(got[n], second[n], 1e-3 * (1.0 + std::fabs(second[n])));
            }
            {
                SCOPED_TRACE("write after read");
                std::vector<float> xs = x;
                CpuBackend be(threads, isa);
                Graph g;
                Tensor* xt = leaf(g, xs, K, 1);
                Tensor* a = g.mul_mat(leaf(g, w1, K, K), xt);
                a->is_output = true;
                g.copy(leaf(g, y, K, 1), xt);
                ASSERT_TRUE(be.allocate(g).is_ok());
                ASSERT_TRUE(be.compute(g).is_ok());
                EXPECT_EQ(be.barriers_skipped(), 0);
                expect_near(a, first, "product of the activations before the copy");
                EXPECT_EQ(xs, y);
            }
            {
                SCOPED_TRACE("write after write, then disjoint writes");
                CpuBackend be(threads, isa);
                Graph g;
                Tensor* d = leaf(g, dst, K, 2);
                Tensor* row0 = g.view(d, {K, 1}, {d->nb[1]}, 0);
                Tensor* row1 = g.view(d, {K, 1}, {d->nb[1]}, d->nb[1]);
                g.copy(leaf(g, y, K, 1), row0);
                g.copy(leaf(g, y2, K, 1), row0);  // must follow the first
                g.copy(leaf(g, y, K, 1), row1);   // may run beside the second
                ASSERT_TRUE(be.allocate(g).is_ok());
                ASSERT_TRUE(be.compute(g).is_ok());
                EXPECT_EQ(be.barriers_skipped(), 1);
                EXPECT_EQ(std::vector<float>(dst.begin(), dst.begin() + K), y2);
                EXPECT_EQ(std::vector<float>(dst.begin() + K, dst.end()), y);
            }
        }
}

}  // namespace
}  // namespace lamina
