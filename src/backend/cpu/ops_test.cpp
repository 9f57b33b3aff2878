// Every CPU op against a naive reference written here, on awkward shapes, for every kernel set
// this CPU can run and for 1 and 3 threads.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "backend/cpu/column_blocks.h"
#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/interleave.h"
#include "backend/cpu/kernels.h"
#include "backend/cpu/row_tiles.h"
#include "backend/cpu/weight_layout.h"
#include "core/fp16.h"
#include "core/graph.h"
#include "core/types.h"

namespace lamina {
namespace {

struct Config {
    Isa isa;
    int threads;
};

std::vector<Config> configs() {
    std::vector<Config> out;
    const CpuFeatures f = CpuFeatures::detect();
    std::vector<Isa> isas = {Isa::Scalar};
    if (f.avx2) isas.push_back(Isa::Avx2);
    if (f.avx512 && f.avx512_vnni) isas.push_back(Isa::Avx512);
    for (Isa isa : isas)
        for (int t : {1, 3}) out.push_back({isa, t});
    return out;
}

std::vector<float> random_floats(size_t n, uint32_t seed, float scale = 1.0f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, scale);
    std::vector<float> v(n);
    for (float& x : v) x = dist(rng);
    return v;
}

Tensor* leaf(Graph& g, std::vector<float>& data, std::initializer_list<int64_t> shape) {
    int64_t ne[4] = {1, 1, 1, 1};
    int n = 0;
    for (int64_t v : shape) ne[n++] = v;
    return g.external(DType::F32, ne, n, data.data());
}

void expect_close(const float* got, const std::vector<float>& want, float tol, const char* what) {
    for (size_t i = 0; i < want.size(); ++i) {
        ASSERT_NEAR(got[i], want[i], tol * (1.0f + std::fabs(want[i]))) << what << " at " << i;
    }
}

// Runs `build` (which returns the output node) on each backend configuration and compares.
template <typename Build>
void check_all(Build build, const std::vector<float>& want, float tol, const char* what) {
    for (const Config& c : configs()) {
        SCOPED_TRACE(std::string(isa_name(c.isa)) + " threads=" + std::to_string(c.threads));
        CpuBackend be(c.threads, c.isa);
        Graph g;
        Tensor* out = build(g);
        out->is_output = true;
        ASSERT_TRUE(be.allocate(g).is_ok());
        // NaN in every output element first: a value a thread forgot to write must not pass
        // for the one a previous configuration left in recycled memory.
        if (out->type == DType::F32)
            std::fill_n(static_cast<float*>(out->data), want.size(), std::nanf(""));
        ASSERT_TRUE(be.compute(g).is_ok());
        expect_close(static_cast<const float*>(out->data), want, tol, what);
    }
}

TEST(CpuOps, MulMatF32AndF16AwkwardShapes) {
    for (auto [K, N, M] :
         {std::tuple{1, 1, 1}, {7, 5, 3}, {33, 17, 1}, {256, 40, 9}, {1000, 3, 2}}) {
        std::vector<float> w = random_floats((size_t)K * N, 1 + K),
                           x = random_floats((size_t)K * M, 2 + N);
        std::vector<uint16_t> w16(w.size());
        for (size_t i = 0; i < w.size(); ++i) w16[i] = fp32_to_fp16(w[i]);
        std::vector<float> want32((size_t)N * M), want16((size_t)N * M);
        for (int m = 0; m < M; ++m)
            for (int n = 0; n < N; ++n) {
                double s32 = 0, s16 = 0;
                for (int k = 0; k < K; ++k) {
                    s32 += (double)w[(size_t)n * K + k] * x[(size_t)m * K + k];
                    s16 += (double)fp16_to_fp32(w16[(size_t)n * K + k]) * x[(size_t)m * K + k];
                }
                want32[(size_t)m * N + n] = (float)s32;
                want16[(size_t)m * N + n] = (float)s16;
            }
        const float tol = 1e-4f * std::sqrt((float)K);
        check_all(
            [&](Graph& g) {
                return g.mul_mat(leaf(g, w, {K, N}), leaf(g, x, {K, M}));
            },
            want32, tol, "mul_mat f32");
        check_all(
            [&](Graph& g) {
                const int64_t ne[2] = {K, N};
                return g.mul_mat(g.external(DType::F16, ne, 2, w16.data()), leaf(g, x, {K, M}));
            },
            want16, tol, "mul_mat f16");
    }
}

// Quantized weights against a few activation rows take the integer dots; against many, the
// integer GEMM (AVX-512) or the dequantizing GEMM (AVX2). Each must equal float math on the type
// table's reference dequantization of the weights and of the activations rounded through the
// vec_dot type. Sizes cover one block, tails of the 32-row tiles and more rows than one 256-row
// chunk. (Q4_1/Q5_1 are left to qgemm_test: their dots use Q8_1's fp16-rounded activation sums, as
// GGUF's do, which this float ideal does not.)
TEST(CpuOps, MulMatQuantizedManyRowsMatchesDequantizedFloat) {
    for (DType t : {DType::Q4_0, DType::Q8_0, DType::Q4_K, DType::Q6_K, DType::Q5_K, DType::Q3_K,
                    DType::Q2_K, DType::IQ4_XS, DType::IQ4_NL, DType::Q5_0}) {
        const TypeTraits& tt = type_traits(t);
        // One and two rows (fewer than the threads: the activation row is quantized in pieces
        // by several threads), a few rows, and batches.
        for (auto [K, N, M] :
             {std::tuple{1024, 20, 1}, {2048, 7, 2}, {256, 3, 5}, {512, 40, 13}, {256, 300, 37}}) {
            SCOPED_TRACE(std::string(tt.name) + " K=" + std::to_string(K) +
                         " N=" + std::to_string(N) + " M=" + std::to_string(M));
            std::vector<float> w = random_floats((size_t)K * N, 3 + K + N),
                               x = random_floats((size_t)K * M, 4 + M);
            std::vector<uint8_t> wq(row_size(t, K) * N);
            for (int n = 0; n < N; ++n)
                tt.from_float(w.data() + (size_t)n * K, wq.data() + row_size(t, K) * n, K);
            std::vector<float> wd((size_t)K * N);
            for (int n = 0; n < N; ++n)
                tt.to_float(wq.data() + row_size(t, K) * n, wd.data() + (size_t)n * K, K);
            // The activations are rounded through the vec_dot type first, as the integer
            // kernels see them.
            const TypeTraits& vt = type_traits(tt.vec_dot_type);
            std::vector<uint8_t> xqrow(row_size(tt.vec_dot_type, K));
            std::vector<float> xr(x.size());
            for (int m = 0; m < M; ++m) {
                vt.from_float(x.data() + (size_t)m * K, xqrow.data(), K);
                vt.to_float(xqrow.data(), xr.data() + (size_t)m * K, K);
            }
            std::vector<float> want((size_t)N * M);
            for (int m = 0; m < M; ++m)
                for (int n = 0; n < N; ++n) {
                    double s = 0;
                    for (int k = 0; k < K; ++k)
                        s += (double)wd[(size_t)n * K + k] * xr[(size_t)m * K + k];
                    want[(size_t)m * N + n] = (float)s;
                }
            for (const Config& c : configs()) {
                // Without a float GEMM the activations are quantized (a different, looser path
                // tested elsewhere).
                if (cpu_kernels(c.isa).gemm_mr == 0) continue;
                SCOPED_TRACE(std::string(isa_name(c.isa)) +
                             " threads=" + std::to_string(c.threads));
                CpuBackend be(c.threads, c.isa);
                Graph g;
                const int64_t ne[2] = {K, N};
                Tensor* out = g.mul_mat(g.external(t, ne, 2, wq.data()), leaf(g, x, {K, M}));
                out->is_output = true;
                ASSERT_TRUE(be.allocate(g).is_ok());
                ASSERT_TRUE(be.compute(g).is_ok());
                expect_close(static_cast<const float*>(out->data), want,
                             1e-4f * std::sqrt((float)K), "mul_mat quantized");
            }
        }
    }
}

// Weights of type t made from w (N rows of K), in GGUF's layout, row after row.
std::vector<uint8_t> weights_of(DType t, const std::vector<float>& w, int64_t K, int64_t N) {
    const size_t row = row_size(t, K);
    std::vector<uint8_t> out(row * (size_t)N);
    for (int64_t n = 0; n < N; ++n)
        type_traits(t).from_float(w.data() + n * K, out.data() + row * (size_t)n, K);
    return out;
}

// The product of weights w (type t, N rows of K, in the layout arrange(tensor) declares) and x
// (M rows of K) on configuration c, every output NaN first so that one left unwritten fails.
template <typename Arrange>
std::vector<float> product_on(const Config& c, DType t, std::vector<uint8_t>& w, int64_t K,
                              int64_t N, std::vector<float>& x, int64_t M, Arrange arrange) {
    CpuBackend be(c.threads, c.isa);
    Graph g;
    const int64_t ne[2] = {K, N};
    Tensor* wt = g.external(t, ne, 2, w.data());
    arrange(*wt);
    Tensor* out = g.mul_mat(wt, leaf(g, x, {K, M}));
    out->is_output = true;
    EXPECT_TRUE(be.allocate(g).is_ok());
    std::fill_n(static_cast<float*>(out->data), (size_t)(N * M), std::nanf(""));
    EXPECT_TRUE(be.compute(g).is_ok());
    const float* o = static_cast<const float*>(out->data);
    return std::vector<float>(o, o + (size_t)(N * M));
}

// Q4_0, Q8_0 and Q4_K weights interleaved in groups of eight rows (backend/cpu/interleave.h) give
// what the same weights give in GGUF's layout, on every kernel set: one and few activation rows
// (the eight-row kernel, including the scalar reference) and many (the integer GEMM reading
// interleaved rows).
TEST(CpuOps, MulMatInterleavedMatchesPlainLayout) {
    for (DType t : {DType::Q4_0, DType::Q8_0, DType::Q4_K})
        for (auto [K, N, M] :
             {std::tuple{1024, 8, 1}, {2048, 24, 2}, {256, 40, 5}, {512, 72, 37}}) {
            SCOPED_TRACE(std::string(type_name(t)) + " K=" + std::to_string(K) +
                         " N=" + std::to_string(N) + " M=" + std::to_string(M));
            std::vector<float> x = random_floats((size_t)K * M, 8 + M);
            std::vector<uint8_t> plain = weights_of(t, random_floats((size_t)K * N, 7 + K), K, N);
            std::vector<uint8_t> mixed = plain;
            quant::interleave_rows(t, mixed.data(), N, row_size(t, K));
            for (const Config& c : configs()) {
                SCOPED_TRACE(std::string(isa_name(c.isa)) +
                             " threads=" + std::to_string(c.threads));
                const std::vector<float> want = product_on(c, t, plain, K, N, x, M, [](Tensor&) {});
                const std::vector<float> got = product_on(c, t, mixed, K, N, x, M, [](Tensor& w) {
                    w.backend_record = &kCpuInterleaved;
                });
                expect_close(got.data(), want, 2e-5f * std::sqrt((float)K), "interleaved");
            }
        }
}

// Plain float weights (F32, F16, BF16) rearranged in place by rearrange(bytes, type, K, N) and
// declared so by mark(tensor), against the same weights in whole rows, on every configuration:
// every GEMM reads the same values into the same micro-kernel arithmetic, so its products are
// identical; with few rows the matrix-vector and generic paths sum in another order and agree
// to float rounding. seed + K seeds the weights, seed + 1 + M the activations.
template <typename Rearrange, typename Mark>
void expect_layout_matches_whole_rows(const char* layout,
                                      std::initializer_list<std::tuple<int, int, int>> shapes,
                                      uint32_t seed, Rearrange rearrange, Mark mark) {
    for (DType t : {DType::F32, DType::F16, DType::BF16})
        for (auto [K, N, M] : shapes) {
            SCOPED_TRACE(std::string(layout) + " " + type_name(t) + " K=" + std::to_string(K) +
                         " N=" + std::to_string(N) + " M=" + std::to_string(M));
            std::vector<float> x = random_floats((size_t)K * M, seed + 1 + M);
            std::vector<uint8_t> plain =
                weights_of(t, random_floats((size_t)K * N, seed + K), K, N);
            std::vector<uint8_t> arranged = plain;
            rearrange(arranged.data(), t, K, N);
            ASSERT_NE(arranged, plain);
            for (const Config& c : configs()) {
                SCOPED_TRACE(std::string(isa_name(c.isa)) +
                             " threads=" + std::to_string(c.threads));
                const std::vector<float> want = product_on(c, t, plain, K, N, x, M, [](Tensor&) {});
                const std::vector<float> got = product_on(c, t, arranged, K, N, x, M, mark);
                const bool gemm = M >= 5 && cpu_kernels(c.isa).types[(size_t)t].gemm;
                if (gemm)
                    EXPECT_EQ(got, want);
                else
                    expect_close(got.data(), want, 2e-6f * std::sqrt((float)K), layout);
            }
        }
}

// Column blocks (backend/cpu/column_blocks.h), as the loader makes for rows longer than
// kGemmColumnBlock: rows of one full block and a tail that is not a multiple of the vector
// width; row counts off the kernels' tiles.
TEST(CpuOps, MulMatColumnBlocksMatchWholeRows) {
    expect_layout_matches_whole_rows(
        "column blocks",
        {{kGemmColumnBlock + 100, 37, 1},
         {2 * kGemmColumnBlock + 3, 21, 3},
         {kGemmColumnBlock + 512, 70, 5},
         {2 * kGemmColumnBlock + 260, 33, 29}},
        11,
        [](uint8_t* w, DType t, int64_t K, int64_t N) {
            split_into_column_blocks(w, {kGemmColumnBlock, N, K, type_traits(t).type_size});
        },
        [](Tensor& w) { w.backend_record = &kCpuColumnBlocks; });
}

// Row tiles (backend/cpu/row_tiles.h), as the loader stores F16 and BF16 matrices for the AVX-512
// kernels: the tiled matrix-vector kernel for few rows (or, in sets without one, the gathered
// rows' dots), whole-K and k-blocked GEMMs.
TEST(CpuOps, MulMatRowTilesMatchWholeRows) {
    expect_layout_matches_whole_rows(
        "row tiles",
        {{300, 64, 1}, {2048 + 300, 96, 3}, {1000, 64, 5}, {2 * kGemmColumnBlock + 260, 32, 29}},
        13,
        [](uint8_t* w, DType t, int64_t K, int64_t N) {
            tile_rows(w, N, {kGemmRowTile, K, type_traits(t).type_size});
        },
        [](Tensor& w) { w.backend_record = &kCpuRowTiles; });
}

// Consecutive products of one activation tensor (Q, K and V; gate and up) pack it once: the
// second finds it packed in the work buffer. Each must equal its product computed alone, exactly
// (the same kernels on the same packed data), for float, integer-GEMM and interleaved weights,
// for pairs whose packings differ (F16 then Q8_0, Q4_K then Q6_K), and for a second product of
// other activations of the same shape, which must not reuse the first's.
TEST(CpuOps, ConsecutiveProductsOfOneActivationShareItsPacking) {
    const int64_t K = 256;
    struct Pair {
        DType a, b;
        uint8_t interleave;  // applied to both, where the type has the layout
    };
    const Pair pairs[] = {{DType::F16, DType::F16, 1},   {DType::F32, DType::F16, 1},
                          {DType::Q4_0, DType::Q4_0, 1}, {DType::Q4_0, DType::Q4_0, 8},
                          {DType::Q4_K, DType::Q6_K, 1}, {DType::F16, DType::Q8_0, 1},
                          {DType::Q4_K, DType::Q4_K, 8}, {DType::Q4_0, DType::Q8_0, 8},
                          {DType::Q4_K, DType::Q4_0, 8}};
    // 37 rows take the GEMMs; one row (a generated token) the matrix-vector paths, where the
    // interleaved kernels prepare it.
    for (int64_t M : {37, 1})
        for (const Pair& pr : pairs)
            for (bool same_x : {true, false}) {
                SCOPED_TRACE(std::string(type_name(pr.a)) + " then " + type_name(pr.b) +
                             (pr.interleave > 1 ? " interleaved" : "") +
                             (same_x ? " same x" : " other x") + " M=" + std::to_string(M));
                const int64_t N[2] = {48, 80};
                const DType types[2] = {pr.a, pr.b};
                std::vector<uint8_t> w[2];
                for (int i = 0; i < 2; ++i) {
                    const std::vector<float> f = random_floats((size_t)(K * N[i]), 11 + i);
                    const size_t row = row_size(types[i], K);
                    w[i].resize(row * (size_t)N[i]);
                    for (int64_t n = 0; n < N[i]; ++n)
                        type_traits(types[i]).from_float(f.data() + n * K, w[i].data() + row * n,
                                                         K);
                    if (pr.interleave > 1) quant::interleave_rows(types[i], w[i].data(), N[i], row);
                }
                std::vector<float> x0 = random_floats((size_t)(K * M), 21),
                                   x1 = random_floats((size_t)(K * M), 22);
                for (const Config& c : configs()) {
                    SCOPED_TRACE(std::string(isa_name(c.isa)) +
                                 " threads=" + std::to_string(c.threads));
                    // Products i in `which`, in order, the second of x1 unless same_x.
                    auto run = [&](std::initializer_list<int> which) {
                        CpuBackend be(c.threads, c.isa);
                        Graph g;
                        Tensor* xs[2] = {leaf(g, x0, {K, M}),
                                         same_x ? nullptr : leaf(g, x1, {K, M})};
                        std::vector<Tensor*> outs;
                        for (int i : which) {
                            const int64_t ne[2] = {K, N[i]};
                            Tensor* wt = g.external(types[i], ne, 2, w[i].data());
                            if (pr.interleave > 1) wt->backend_record = &kCpuInterleaved;
                            outs.push_back(g.mul_mat(wt, i == 1 && !same_x ? xs[1] : xs[0]));
                            outs.back()->is_output = true;
                        }
                        EXPECT_TRUE(be.allocate(g).is_ok());
                        EXPECT_TRUE(be.compute(g).is_ok());
                        std::vector<std::vector<float>> r;
                        for (Tensor* o : outs) {
                            const float* d = static_cast<const float*>(o->data);
                            r.emplace_back(d, d + o->n_elements());
                        }
                        return r;
                    };
                    const auto both = run({0, 1});
                    EXPECT_EQ(both[0], run({0})[0]);
                    EXPECT_EQ(both[1], run({1})[0]);
                }
            }
}

// Which count of folded nodes a fold test reads from the backend.
enum class FoldKind { IntoProduct, Sum };

// Runs build(g, keep) on configuration c twice: with the node a fold would skip left to the
// backend (keep false), and kept as a graph output (keep true: nothing folds). build returns the
// outputs to compare; they must agree bit for bit, and the backend must fold `folds` nodes of
// `kind`, then none.
template <typename Build>
void expect_fold_exact(const Config& c, FoldKind kind, int folds, Build build) {
    auto run = [&](bool keep, int* folded) {
        CpuBackend be(c.threads, c.isa);
        Graph g;
        const std::vector<Tensor*> outs = build(g, keep);
        EXPECT_TRUE(be.allocate(g).is_ok());
        EXPECT_TRUE(be.compute(g).is_ok());
        *folded = kind == FoldKind::Sum ? be.sums_folded() : be.nodes_folded();
        std::vector<float> r;
        for (const Tensor* o : outs) {
            const float* d = static_cast<const float*>(o->data);
            r.insert(r.end(), d, d + o->n_elements());
        }
        return r;
    };
    int folded = 0, apart = 0;
    const std::vector<float> got = run(false, &folded), want = run(true, &apart);
    EXPECT_EQ(apart, 0);
    EXPECT_EQ(folded, folds);
    EXPECT_EQ(got, want);
}

// A product of a SwiGLU's output that is its only reader computes silu(g) * u while packing
// (the SwiGlu node is skipped): the same numbers as the two ops run apart, which they are when
// the SwiGLU output is also a graph output. Rows past the last full panel, k tails and the long
// rows of the down projection; one row takes the matrix-vector path and nothing is folded.
TEST(CpuOps, ProductFoldsTheSwigluItReads) {
    struct Shape {
        int64_t K, N, M;
    };
    for (DType type : {DType::F16, DType::F32})
        for (const Shape sh :
             {Shape{40, 33, 37}, Shape{300, 70, 13}, Shape{2100, 40, 12}, Shape{64, 16, 1}}) {
            SCOPED_TRACE(std::string(type_name(type)) + " K=" + std::to_string(sh.K) +
                         " N=" + std::to_string(sh.N) + " M=" + std::to_string(sh.M));
            const std::vector<float> wf = random_floats((size_t)(sh.K * sh.N), 31);
            std::vector<uint8_t> w(row_size(type, sh.K) * (size_t)sh.N);
            type_traits(type).from_float(wf.data(), w.data(), sh.K * sh.N);
            std::vector<float> gate = random_floats((size_t)(sh.K * sh.M), 32),
                               up = random_floats((size_t)(sh.K * sh.M), 33);
            for (float& v : gate) v *= 4.0f;
            for (const Config& c : configs()) {
                SCOPED_TRACE(std::string(isa_name(c.isa)) +
                             " threads=" + std::to_string(c.threads));
                // Only the ISAs with a float GEMM fold, and only products of several rows.
                const int folds = c.isa != Isa::Scalar && sh.M > 1 ? 1 : 0;
                expect_fold_exact(c, FoldKind::IntoProduct, folds, [&](Graph& g, bool keep) {
                    const int64_t ne[2] = {sh.K, sh.N};
                    Tensor* h = g.swiglu(leaf(g, gate, {sh.K, sh.M}), leaf(g, up, {sh.K, sh.M}));
                    h->is_output = keep;
                    Tensor* out = g.mul_mat(g.external(type, ne, 2, w.data()), h);
                    out->is_output = true;
                    return std::vector<Tensor*>{out};
                });
            }
        }
}

// Products of an RmsNorm's output that are all its readers, one after another and sharing one
// packing (Q, K, V; gate, up), normalize its rows as the first packs them (the RmsNorm node is
// skipped): bit for bit what the ops give apart (the norm also a graph output). Not folded: one
// row (matrix-vector path), products whose packings differ (F16 then Q8_0), and a norm that
// something else also reads.
TEST(CpuOps, ProductsFoldTheRmsNormTheyRead) {
    struct Case {
        DType second;
        int64_t M;
        bool other_reader;
        bool folds;  // on the ISAs with a float GEMM
    };
    const int64_t K = 320;  // whole Q8_0 blocks
    const int64_t N[3] = {33, 40, 16};
    const Case cases[] = {{DType::F16, 37, false, true},
                          {DType::F32, 13, false, true},
                          {DType::F16, 1, false, false},
                          {DType::Q8_0, 37, false, false},
                          {DType::F16, 37, true, false}};
    std::vector<float> x = random_floats((size_t)(K * 37), 51), gain = random_floats((size_t)K, 52);
    for (float& v : x) v *= 3.0f;
    for (const Case& cs : cases) {
        SCOPED_TRACE(std::string("then ") + type_name(cs.second) + " M=" + std::to_string(cs.M) +
                     (cs.other_reader ? " other reader" : ""));
        const DType types[3] = {DType::F16, cs.second, cs.second};
        std::vector<uint8_t> w[3];
        for (int i = 0; i < 3; ++i) {
            const std::vector<float> f = random_floats((size_t)(K * N[i]), 53 + i);
            w[i].resize(row_size(types[i], K) * (size_t)N[i]);
            type_traits(types[i]).from_float(f.data(), w[i].data(), K * N[i]);
        }
        for (const Config& c : configs()) {
            SCOPED_TRACE(std::string(isa_name(c.isa)) + " threads=" + std::to_string(c.threads));
            const int folds = cs.folds && c.isa != Isa::Scalar ? 1 : 0;
            expect_fold_exact(c, FoldKind::IntoProduct, folds, [&](Graph& g, bool keep) {
                Tensor* h = g.rms_norm(leaf(g, x, {K, cs.M}), 1e-5f, leaf(g, gain, {K}));
                h->is_output = keep;
                std::vector<Tensor*> outs;
                for (int i = 0; i < 3; ++i) {
                    const int64_t ne[2] = {K, N[i]};
                    outs.push_back(g.mul_mat(g.external(types[i], ne, 2, w[i].data()), h));
                }
                if (cs.other_reader) outs.push_back(g.scale(h, 0.5f));
                for (Tensor* o : outs) o->is_output = true;
                return outs;
            });
        }
    }
}

// A product whose only reader is the Add that follows it writes the sum itself (the Add node is
// skipped): the float GEMM as it stores each tile (after the last k block of long rows), the other
// paths per finished chunk. Bit for bit what the two ops give apart (the product also a graph
// output), on every path: float GEMM (one k block, several; rows past the last panel), integer
// GEMM, interleaved weights with many rows and one, the matrix-vector path, and the generic dot
// path (Q4_0 on one row); with the product as either operand of the Add.
TEST(CpuOps, ProductFoldsTheAddReadingIt) {
    struct Case {
        DType type;
        uint8_t interleave;
        int64_t K, N, M;
    };
    const Case cases[] = {{DType::F16, 1, 40, 33, 37},   {DType::F32, 1, 300, 70, 13},
                          {DType::F16, 1, 2100, 40, 12}, {DType::F16, 1, 64, 48, 1},
                          {DType::F16, 1, 64, 48, 3},    {DType::Q4_0, 1, 256, 40, 37},
                          {DType::Q4_0, 1, 256, 40, 1},  {DType::Q4_0, 8, 256, 48, 37},
                          {DType::Q4_K, 8, 256, 48, 1},  {DType::Q8_0, 8, 256, 48, 2}};
    for (const Case& cs : cases)
        for (bool product_first : {true, false}) {
            SCOPED_TRACE(std::string(type_name(cs.type)) +
                         (cs.interleave > 1 ? " interleaved" : "") + " K=" + std::to_string(cs.K) +
                         " N=" + std::to_string(cs.N) + " M=" + std::to_string(cs.M) +
                         (product_first ? " product + r" : " r + product"));
            const std::vector<float> wf = random_floats((size_t)(cs.K * cs.N), 41);
            const size_t row = row_size(cs.type, cs.K);
            std::vector<uint8_t> w(row * (size_t)cs.N);
            for (int64_t n = 0; n < cs.N; ++n)
                type_traits(cs.type).from_float(wf.data() + n * cs.K, w.data() + row * n, cs.K);
            if (cs.interleave > 1) quant::interleave_rows(cs.type, w.data(), cs.N, row);
            std::vector<float> x = random_floats((size_t)(cs.K * cs.M), 42),
                               r = random_floats((size_t)(cs.N * cs.M), 43);
            for (float& v : r) v *= 8.0f;  // so that the order of the additions shows
            for (const Config& c : configs()) {
                SCOPED_TRACE(std::string(isa_name(c.isa)) +
                             " threads=" + std::to_string(c.threads));
                expect_fold_exact(c, FoldKind::Sum, 1, [&](Graph& g, bool keep) {
                    const int64_t ne[2] = {cs.K, cs.N};
                    Tensor* wt = g.external(cs.type, ne, 2, w.data());
                    if (cs.interleave > 1) wt->backend_record = &kCpuInterleaved;
                    Tensor* p = g.mul_mat(wt, leaf(g, x, {cs.K, cs.M}));
                    p->is_output = keep;
                    Tensor* rt = leaf(g, r, {cs.N, cs.M});
                    Tensor* out = product_first ? g.add(p, rt) : g.add(rt, p);
                    out->is_output = true;
                    return std::vector<Tensor*>{out};
                });
            }
        }
}

// Shapes with more rows than threads (split by rows) and single rows (split by column pieces,
// with a ragged last piece).
class CpuOpsElementwise : public ::testing::TestWithParam<std::pair<int64_t, int64_t>> {};

TEST_P(CpuOpsElementwise, MatchDefinitions) {
    const auto [n0, rows] = GetParam();
    std::vector<float> a = random_floats(n0 * rows, 3), b = random_floats(n0 * rows, 4),
                       bias = random_floats(n0, 5);
    std::vector<float> want(a.size());
    for (size_t i = 0; i < a.size(); ++i) want[i] = a[i] + bias[i % n0];
    check_all(
        [&](Graph& g) {
            return g.add(leaf(g, a, {n0, rows}), leaf(g, bias, {n0}));
        },
        want, 1e-6f, "add broadcast");
    for (size_t i = 0; i < a.size(); ++i) want[i] = a[i] * b[i];
    check_all(
        [&](Graph& g) {
            return g.mul(leaf(g, a, {n0, rows}), leaf(g, b, {n0, rows}));
        },
        want, 1e-6f, "mul");
    for (size_t i = 0; i < a.size(); ++i) want[i] = a[i] * 0.37f;
    check_all(
        [&](Graph& g) {
            return g.scale(leaf(g, a, {n0, rows}), 0.37f);
        },
        want, 1e-6f, "scale");
    for (size_t i = 0; i < a.size(); ++i) want[i] = a[i] / (1 + std::exp(-a[i]));
    check_all([&](Graph& g) { return g.silu(leaf(g, a, {n0, rows})); }, want, 1e-5f, "silu");
    for (size_t i = 0; i < a.size(); ++i) want[i] = a[i] / (1 + std::exp(-a[i])) * b[i];
    check_all(
        [&](Graph& g) {
            return g.swiglu(leaf(g, a, {n0, rows}), leaf(g, b, {n0, rows}));
        },
        want, 1e-5f, "swiglu");
    for (int64_t r = 0; r < rows; ++r) {
        double ss = 0;
        for (int64_t i = 0; i < n0; ++i) ss += (double)a[r * n0 + i] * a[r * n0 + i];
        const double inv = 1.0 / std::sqrt(ss / n0 + 1e-5);
        for (int64_t i = 0; i < n0; ++i) want[r * n0 + i] = (float)(a[r * n0 + i] * inv);
    }
    check_all(
        [&](Graph& g) {
            return g.rms_norm(leaf(g, a, {n0, rows}), 1e-5f);
        },
        want, 1e-5f, "rms_norm");
    // With the norm's weight fused in: every row times the same gain row.
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t i = 0; i < n0; ++i) want[r * n0 + i] *= bias[i];
    check_all(
        [&](Graph& g) {
            return g.rms_norm(leaf(g, a, {n0, rows}), 1e-5f, leaf(g, bias, {n0}));
        },
        want, 1e-5f, "rms_norm with gain");
}

INSTANTIATE_TEST_SUITE_P(Shapes, CpuOpsElementwise,
                         ::testing::Values(std::pair<int64_t, int64_t>{37, 11},
                                           std::pair<int64_t, int64_t>{1000, 1},
                                           std::pair<int64_t, int64_t>{5, 1},
                                           std::pair<int64_t, int64_t>{40, 2}));

TEST(CpuOps, GetRowsF16) {
    const int64_t dim = 19, vocab = 13;
    std::vector<float> table = random_floats(dim * vocab, 6);
    std::vector<uint16_t> t16(table.size());
    for (size_t i = 0; i < table.size(); ++i) t16[i] = fp32_to_fp16(table[i]);
    std::vector<int32_t> ids = {3, 0, 12, 3, 7};
    std::vector<float> want;
    for (int32_t id : ids)
        for (int64_t i = 0; i < dim; ++i) want.push_back(fp16_to_fp32(t16[id * dim + i]));
    check_all(
        [&](Graph& g) {
            const int64_t ne[2] = {dim, vocab}, ne_ids[1] = {(int64_t)ids.size()};
            Tensor* tt = g.external(DType::F16, ne, 2, t16.data());
            Tensor* it = g.external(DType::I32, ne_ids, 1, ids.data());
            return g.get_rows(tt, it);
        },
        want, 0.0f, "get_rows");
}

TEST(CpuOps, RopeAdjacentPairsAndNeox) {
    const int64_t D = 12, H = 3, T = 5;
    const int n_rot = 8;
    std::vector<float> x = random_floats(D * H * T, 7);
    std::vector<int32_t> pos = {0, 1, 7, 100, 511};
    for (bool neox : {false, true}) {
        std::vector<float> want(x.size());
        for (int64_t t = 0; t < T; ++t)
            for (int64_t h = 0; h < H; ++h) {
                const float* in = &x[(t * H + h) * D];
                float* out = &want[(t * H + h) * D];
                for (int64_t i = 0; i < D; ++i) out[i] = in[i];
                for (int i = 0; i < n_rot / 2; ++i) {
                    const double th = pos[t] / std::pow(10000.0, 2.0 * i / n_rot);
                    const int a = neox ? i : 2 * i, b = neox ? i + n_rot / 2 : 2 * i + 1;
                    out[a] = (float)(in[a] * std::cos(th) - in[b] * std::sin(th));
                    out[b] = (float)(in[a] * std::sin(th) + in[b] * std::cos(th));
                }
            }
        check_all(
            [&](Graph& g) {
                const int64_t np[1] = {T};
                Tensor* p = g.external(DType::I32, np, 1, pos.data());
                return g.rope(leaf(g, x, {D, H, T}), p, n_rot, 10000.0f, neox);
            },
            want, 1e-5f, neox ? "rope neox" : "rope");
    }
}

TEST(CpuOps, SoftMaxCausal) {
    const int64_t n_kv = 9, T = 4, H = 2, n_past = 5;
    std::vector<float> x = random_floats(n_kv * T * H, 8);
    std::vector<float> want(x.size(), 0.0f);
    for (int64_t h = 0; h < H; ++h)
        for (int64_t t = 0; t < T; ++t) {
            const float* in = &x[(h * T + t) * n_kv];
            float* out = &want[(h * T + t) * n_kv];
            double sum = 0;
            for (int64_t j = 0; j <= n_past + t; ++j) sum += std::exp(0.5 * in[j]);
            for (int64_t j = 0; j <= n_past + t; ++j) out[j] = (float)(std::exp(0.5 * in[j]) / sum);
        }
    check_all(
        [&](Graph& g) {
            return g.soft_max(leaf(g, x, {n_kv, T, H}), 0.5f, true, n_past);
        },
        want, 1e-5f, "soft_max");
}

TEST(CpuOps, ViewsPermuteCont) {
    const int64_t a0 = 5, a1 = 4, a2 = 3;
    std::vector<float> x = random_floats(a0 * a1 * a2, 9);
    std::vector<float> want;
    // permute(1, 0, 2, 3) swaps the first two dims; cont materialises it.
    for (int64_t k = 0; k < a2; ++k)
        for (int64_t i = 0; i < a0; ++i)
            for (int64_t j = 0; j < a1; ++j) want.push_back(x[(k * a1 + j) * a0 + i]);
    check_all(
        [&](Graph& g) {
            return g.cont(g.permute(leaf(g, x, {a0, a1, a2}), 1, 0, 2, 3));
        },
        want, 0.0f, "permute+cont");
    check_all(
        [&](Graph& g) {
            return g.cont(g.transpose(leaf(g, x, {a0, a1 * a2})));
        },
        [&] {
            std::vector<float> w;
            for (int64_t i = 0; i < a0; ++i)
                for (int64_t j = 0; j < a1 * a2; ++j) w.push_back(x[j * a0 + i]);
            return w;
        }(),
        0.0f, "transpose+cont");
}

// softmax(scale * K^T q) V computed naively in double from an F16 cache: q is [D, Hq, T], the
// cache [D, Hkv, n_kv], position t attending to keys [0, n_past + t].
std::vector<float> attention_reference(const std::vector<float>& q,
                                       const std::vector<uint16_t>& k16,
                                       const std::vector<uint16_t>& v16, int64_t D, int64_t Hq,
                                       int64_t Hkv, int64_t T, int64_t n_past, float scale) {
    std::vector<float> want((size_t)D * Hq * T);
    for (int64_t t = 0; t < T; ++t)
        for (int64_t h = 0; h < Hq; ++h) {
            const int64_t hk = h / (Hq / Hkv);
            std::vector<double> s(n_past + t + 1);
            double mx = -1e30, sum = 0;
            for (int64_t j = 0; j <= n_past + t; ++j) {
                double d = 0;
                for (int64_t i = 0; i < D; ++i)
                    d +=
                        (double)q[(t * Hq + h) * D + i] * fp16_to_fp32(k16[(j * Hkv + hk) * D + i]);
                s[j] = d * scale;
                mx = std::max(mx, s[j]);
            }
            for (double& e : s) sum += (e = std::exp(e - mx));
            for (int64_t i = 0; i < D; ++i) {
                double o = 0;
                for (int64_t j = 0; j <= n_past + t; ++j)
                    o += s[j] * fp16_to_fp32(v16[(j * Hkv + hk) * D + i]);
                want[(t * Hq + h) * D + i] = (float)(o / sum);
            }
        }
    return want;
}

// Random q and an F16 cache of n_kv rows for an attention test.
struct AttentionCase {
    std::vector<float> q;
    std::vector<uint16_t> k16, v16;
    AttentionCase(int64_t D, int64_t Hq, int64_t Hkv, int64_t T, int64_t n_kv) {
        q = random_floats((size_t)D * Hq * T, 10 + (uint32_t)D);
        const std::vector<float> kf = random_floats((size_t)D * Hkv * n_kv, 11),
                                 vf = random_floats((size_t)D * Hkv * n_kv, 12);
        for (size_t i = 0; i < kf.size(); ++i) {
            k16.push_back(fp32_to_fp16(kf[i]));
            v16.push_back(fp32_to_fp16(vf[i]));
        }
    }
    Tensor* build(Graph& g, int64_t D, int64_t Hq, int64_t Hkv, int64_t T, int64_t n_kv,
                  float scale, int64_t n_past) {
        const int64_t ne[3] = {D, Hkv, n_kv};
        Tensor* k = g.external(DType::F16, ne, 3, k16.data());
        Tensor* v = g.external(DType::F16, ne, 3, v16.data());
        return g.attention(leaf(g, q, {D, Hq, T}), k, v, scale, n_past);
    }
};

// Attention against the unfused composition. Batches of 8 positions or more take the packed
// path (the cache converted once, matrix panels), fewer the per-position kernels; shapes cover
// head sizes off the 16-column panels and the 64 and 128 that have kernels of their own, cache
// lengths off the 16-key blocks and off the kernels' groups of 2 and 4 keys, groups of 1 to 8
// heads.
TEST(CpuOps, AttentionGroupedHeadsF16Cache) {
    for (auto [D, Hq, Hkv, T, n_past] : {std::tuple{8, 4, 2, 3, 2},
                                         {32, 8, 4, 1, 20},
                                         {17, 3, 1, 5, 0},
                                         {64, 2, 2, 7, 9},
                                         {64, 16, 2, 20, 3},
                                         {17, 3, 1, 9, 0},
                                         {40, 6, 3, 33, 17},
                                         {8, 7, 1, 8, 1},
                                         {128, 8, 2, 3, 41},
                                         {64, 4, 1, 2, 30}}) {
        const int64_t n_kv = n_past + T + 2;  // extra cache rows must be ignored
        AttentionCase c(D, Hq, Hkv, T, n_kv);
        const float scale = 1.0f / std::sqrt((float)D);
        check_all([&](Graph& g) { return c.build(g, D, Hq, Hkv, T, n_kv, scale, n_past); },
                  attention_reference(c.q, c.k16, c.v16, D, Hq, Hkv, T, n_past, scale), 2e-5f,
                  "attention");
    }
}

// Long caches with fewer (position, K/V head) items than threads, or a count the threads do not
// divide: the keys are cut into spans computed apart and combined. One K/V head and one
// position (every thread on one item), TinyLlama's four heads on 3, 5 and 8 threads, spans of
// uneven length (odd cache lengths), and a group of one query head.
TEST(CpuOps, AttentionSplitsLongCachesAcrossThreads) {
    for (auto [D, Hq, Hkv, T, n_past] : {std::tuple{64, 8, 1, 1, 1000},
                                         {64, 32, 4, 1, 901},
                                         {40, 6, 3, 2, 700},
                                         {17, 3, 3, 3, 333},
                                         {128, 4, 1, 1, 517}}) {
        const int64_t n_kv = n_past + T + 5;
        AttentionCase c(D, Hq, Hkv, T, n_kv);
        const float scale = 1.0f / std::sqrt((float)D);
        const std::vector<float> want =
            attention_reference(c.q, c.k16, c.v16, D, Hq, Hkv, T, n_past, scale);
        for (const Config& cfg : configs())
            for (int threads : {2, 3, 5, 8}) {
                SCOPED_TRACE(testing::Message()
                             << isa_name(cfg.isa) << " threads " << threads << " shape " << D << "/"
                             << Hq << "/" << Hkv << "/" << T << "/" << n_past);
                CpuBackend be(threads, cfg.isa);
                Graph g;
                Tensor* out = c.build(g, D, Hq, Hkv, T, n_kv, scale, n_past);
                out->is_output = true;
                ASSERT_TRUE(be.allocate(g).is_ok());
                std::fill_n(static_cast<float*>(out->data), want.size(), std::nanf(""));
                ASSERT_TRUE(be.compute(g).is_ok());
                expect_close(static_cast<const float*>(out->data), want, 2e-5f, "attention");
            }
    }
}

// Copying F32 activations into a strided F16 view, as K/V go into the cache (rows of 6: the
// conversion's tail alone; of 37: whole vectors and a tail).
TEST(CpuOps, CopyIntoF16View) {
    for (const int64_t D : {6, 37}) {
        const int64_t H = 2, T = 3, n_ctx = 8, offset_pos = 4;
        std::vector<float> src = random_floats(D * H * T, 13);
        std::vector<uint16_t> cache(D * H * n_ctx, 0);
        for (const Config& c : configs()) {
            std::fill(cache.begin(), cache.end(), 0);
            CpuBackend be(c.threads, c.isa);
            Graph g;
            const int64_t ne[3] = {D, H, n_ctx};
            Tensor* kc = g.external(DType::F16, ne, 3, cache.data());
            Tensor* dst = g.view(kc, {D, H, T}, {kc->nb[1], kc->nb[2]}, offset_pos * kc->nb[2]);
            g.copy(leaf(g, src, {D, H, T}), dst);
            ASSERT_TRUE(be.allocate(g).is_ok());
            ASSERT_TRUE(be.compute(g).is_ok());
            for (int64_t p = 0; p < n_ctx; ++p)
                for (int64_t i = 0; i < D * H; ++i) {
                    const float got = fp16_to_fp32(cache[p * D * H + i]);
                    const bool written = p >= offset_pos && p < offset_pos + T;
                    const float want =
                        written ? fp16_to_fp32(fp32_to_fp16(src[(p - offset_pos) * D * H + i]))
                                : 0.0f;
                    ASSERT_EQ(got, want) << "D " << D << " pos " << p << " i " << i;
                }
        }
    }
}

}  // namespace
}  // namespace lamina
