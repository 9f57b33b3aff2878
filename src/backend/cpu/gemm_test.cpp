// mul_mat through the blocked GEMM and multi-row GEMV kernels against a double-precision
// reference computed here, for F32, F16 and BF16 weights on awkward shapes (K, N and M around
// the register-tile and k-block sizes, tails, ones), every ISA this CPU runs, 1 to 3 threads.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <tuple>
#include <vector>

#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/row_tiles.h"
#include "backend/cpu/simd_isas_for_test.h"
#include "backend/cpu/weight_layout.h"
#include "core/fp16.h"
#include "core/graph.h"

namespace lamina {
namespace {

struct Weights {
    DType type;
    std::vector<uint8_t> bytes;
    std::vector<double> exact;  // the stored values, as the kernels must read them
};

Weights make_weights(DType type, int64_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    Weights w{type, {}, {}};
    w.exact.resize((size_t)n);
    w.bytes.resize((size_t)n * (type == DType::F32 ? 4 : 2));
    for (int64_t i = 0; i < n; ++i) {
        const float v = dist(rng);
        if (type == DType::F32) {
            std::memcpy(&w.bytes[(size_t)i * 4], &v, 4);
            w.exact[(size_t)i] = v;
        } else {
            const uint16_t h = type == DType::F16 ? fp32_to_fp16(v) : fp32_to_bf16(v);
            std::memcpy(&w.bytes[(size_t)i * 2], &h, 2);
            w.exact[(size_t)i] = type == DType::F16 ? fp16_to_fp32(h) : bf16_to_fp32(h);
        }
    }
    return w;
}

// tiled: the weights stored in row tiles (backend/cpu/row_tiles.h) as loading stores F16 and BF16
// matrices for the AVX-512 kernels; every kernel set reads them (the others by packing or
// gathering rows).
void check_mul_mat(DType type, int64_t K, int64_t N, int64_t M, bool tiled = false) {
    Weights w = make_weights(type, K * N, (uint32_t)(K * 131 + N * 7 + M));
    if (tiled) tile_rows(w.bytes.data(), N, {kGemmRowTile, K, type_traits(type).type_size});
    std::mt19937 rng((uint32_t)(M * 17 + K));
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> x((size_t)(K * M));
    for (float& v : x) v = dist(rng);
    std::vector<double> want((size_t)(N * M));
    for (int64_t m = 0; m < M; ++m)
        for (int64_t n = 0; n < N; ++n) {
            double s = 0;
            for (int64_t k = 0; k < K; ++k)
                s += w.exact[(size_t)(n * K + k)] * x[(size_t)(m * K + k)];
            want[(size_t)(m * N + n)] = s;
        }
    for (Isa isa : isas_for_test())
        for (int threads = 1; threads <= 3; ++threads) {
            SCOPED_TRACE(std::string(type_name(type)) + " " + isa_name(isa) +
                         " threads=" + std::to_string(threads) + " K=" + std::to_string(K) +
                         " N=" + std::to_string(N) + " M=" + std::to_string(M) +
                         (tiled ? " row tiles" : ""));
            CpuBackend be(threads, isa);
            Graph g;
            const int64_t ne_w[2] = {K, N}, ne_x[2] = {K, M};
            Tensor* wt = g.external(type, ne_w, 2, const_cast<uint8_t*>(w.bytes.data()));
            if (tiled) wt->backend_record = &kCpuRowTiles;
            Tensor* out = g.mul_mat(wt, g.external(DType::F32, ne_x, 2, x.data()));
            out->is_output = true;
            ASSERT_TRUE(be.allocate(g).is_ok());
            // NaN first, so an output the kernel never writes cannot pass on what an earlier
            // backend left in the same memory.
            std::fill_n(static_cast<float*>(out->data), (size_t)(N * M),
                        std::numeric_limits<float>::quiet_NaN());
            ASSERT_TRUE(be.compute(g).is_ok());
            const float* got = static_cast<const float*>(out->data);
            // float32 accumulation over K terms of unit variance: error grows like sqrt(K).
            const double tol = 2e-6 * std::sqrt((double)K) * 4;
            for (size_t i = 0; i < want.size(); ++i)
                ASSERT_NEAR(got[i], want[i], tol * (1 + std::fabs(want[i]))) << "at " << i;
        }
}

TEST(CpuGemm, AwkwardShapesAllTypes) {
    for (DType type : {DType::F32, DType::F16, DType::BF16})
        for (auto [K, N, M] : {std::tuple<int64_t, int64_t, int64_t>{1, 1, 1},
                               {1, 1, 5},
                               {15, 31, 5},
                               {16, 32, 12},
                               {17, 33, 13},
                               {255, 17, 7},
                               {256, 64, 24},
                               {257, 65, 25},
                               {600, 100, 37},
                               {511, 129, 7},
                               {513, 257, 13},
                               {33, 3, 5},
                               {40, 200, 6}})
            check_mul_mat(type, K, N, M);
}

// The AVX-512 GEMM computes a part-full last panel with a 4-, 8- or 12-row tile: every height
// of that panel, just under and at each tile's size.
TEST(CpuGemm, LastPanelEveryHeight) {
    for (DType type : {DType::F16, DType::F32})
        for (int64_t M = 13; M <= 24; ++M) check_mul_mat(type, 70, 40, M);
}

TEST(CpuGemv, FewRowsAwkwardShapes) {
    for (DType type : {DType::F32, DType::F16, DType::BF16})
        for (auto [K, N, M] : {std::tuple<int64_t, int64_t, int64_t>{1, 1, 1},
                               {7, 3, 1},
                               {16, 16, 2},
                               {31, 5, 3},
                               {33, 19, 1},
                               {47, 70, 2},
                               {1000, 37, 1},
                               {64, 5, 1},
                               {2048, 21, 1},
                               {2048, 64, 3},
                               {100, 9, 4},
                               {17, 6, 4}})
            check_mul_mat(type, K, N, M);
}

// Weights in row tiles of 32 rows: the AVX-512 GEMM multiplies them where they are (whole rows
// up to K = 2048, 256 x 256 blocks with a k tail beyond), its matrix-vector kernel streams them
// two tiles at a time (one for an odd last tile) for one to four rows; other kernel sets pack or
// gather them.
TEST(CpuGemm, RowTilesAllPaths) {
    for (DType type : {DType::F32, DType::F16, DType::BF16})
        for (auto [K, N, M] : {std::tuple<int64_t, int64_t, int64_t>{1, 32, 1},
                               {100, 96, 1},
                               {17, 64, 2},
                               {33, 32, 3},
                               {300, 96, 4},
                               {5, 32, 5},
                               {255, 64, 13},
                               {1100, 96, 30},
                               {2048, 64, 14},
                               {2307, 288, 9}})
            check_mul_mat(type, K, N, M, true);
}

// Long rows: the AVX-512 GEMM packs whole rows of K <= 2048 (in blocks of as many 32-row tiles as
// fit: one at 2048, two at 1100) and cuts longer ones into 256 x 256 blocks with a k tail.
TEST(CpuGemm, LargeShape) {
    check_mul_mat(DType::F16, 1100, 150, 70);
    check_mul_mat(DType::F16, 2048, 100, 14);
    check_mul_mat(DType::F32, 2049, 70, 13);
}

}  // namespace
}  // namespace lamina
