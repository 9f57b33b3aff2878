// mul_mat throughput at TinyLlama shapes (dim 2048, ffn 5632, vocab 32000) through the CPU
// backend: GFLOP/s for prompt batches (M=512) and weight GB/s for generation (M=1); for the
// quantized types "GFLOPS" counts the multiply-adds of the integer GEMM the same way (2 per
// weight per row), to compare with the int8 VNNI peak of machine_bench.
// Arguments: K, N, M, threads, weight type id, interleaved (1: groups of eight rows, as the
// model loader lays out Q4_0/Q8_0/Q4_K). LAMINA_ISA lowers the kernel set.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/interleave.h"
#include "backend/cpu/weight_layout.h"
#include "core/graph.h"

namespace lamina {
namespace {

void BM_MulMat(benchmark::State& state) {
    const int64_t K = state.range(0), N = state.range(1), M = state.range(2);
    const int threads = (int)state.range(3);
    const DType type = (DType)state.range(4);
    const size_t wbytes = row_size(type, K) * (size_t)N;
    std::vector<uint8_t> w(wbytes);
    std::mt19937 rng(1);
    // Small random values in every format: bytes 0x00-0x3f keep F16/BF16/F32 finite and small.
    for (auto& b : w) b = (uint8_t)(rng() & 0x3f);
    std::vector<float> x((size_t)(K * M));
    for (auto& v : x) v = (float)(rng() % 1000) / 1000.0f - 0.5f;

    CpuBackend be(threads);
    Graph g;
    const int64_t ne_w[2] = {K, N}, ne_x[2] = {K, M};
    Tensor* wt = g.external(type, ne_w, 2, w.data());
    // The layout the CPU backend stores these types in (backend/cpu/interleave.h).
    if (state.range(5)) {
        quant::interleave_rows(type, w.data(), N, row_size(type, K));
        wt->backend_record = &kCpuInterleaved;
    }
    Tensor* out = g.mul_mat(wt, g.external(DType::F32, ne_x, 2, x.data()));
    out->is_output = true;
    if (!be.allocate(g).is_ok()) return state.SkipWithError("allocate failed");
    for (auto _ : state) {
        if (!be.compute(g).is_ok()) return state.SkipWithError("compute failed");
        benchmark::ClobberMemory();
    }
    const double it = (double)state.iterations();
    state.counters["GFLOPS"] =
        benchmark::Counter(it * 2.0 * (double)(K * N * M) / 1e9, benchmark::Counter::kIsRate);
    state.counters["weightGB/s"] =
        benchmark::Counter(it * (double)wbytes / 1e9, benchmark::Counter::kIsRate);
    state.SetLabel(std::string(type_name(type)) + " " + isa_name(be.isa()));
}

void shapes(benchmark::internal::Benchmark* b) {
    for (int64_t type : {1, 30, 0})  // F16, BF16, F32
        for (int threads : {1, 2}) {
            for (auto [K, N] : {std::pair<int64_t, int64_t>{2048, 2048},
                                {2048, 5632},
                                {5632, 2048},
                                {2048, 32000}}) {
                if (type != 1 && N != 2048) continue;  // other types: one shape is enough
                b->Args({K, N, 512, threads, type, 0});
                b->Args({K, N, 1, threads, type, 0});
                if (type == 1 && K == N) b->Args({K, N, 4, threads, type, 0});  // short prompts
            }
        }
}
BENCHMARK(BM_MulMat)->Apply(shapes)->UseRealTime()->Unit(benchmark::kMillisecond);

// Every quantized weight type at one square shape, prompt batch and single row, 2 threads.
void quant_shapes(benchmark::internal::Benchmark* b) {
    for (DType t :
         {DType::Q4_0, DType::Q5_0, DType::Q8_0, DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K,
          DType::Q6_K, DType::IQ4_NL, DType::IQ4_XS, DType::Q4_1, DType::Q5_1})
        for (int64_t M : {512, 1}) b->Args({2048, 2048, M, 2, (int64_t)t, 0});
    // The types the loader interleaves, in that layout: 2048 x 2048 stays in L3, so the single row
    // measures the kernels' own speed; 5632 x 2048 (23 MiB as Q8_0) mostly streams from memory.
    for (DType t : {DType::Q4_0, DType::Q8_0, DType::Q4_K})
        for (int threads : {1, 2})
            for (int64_t K : {2048, 5632})
                for (int64_t M : {512, 1}) b->Args({K, 2048, M, threads, (int64_t)t, 1});
}
BENCHMARK(BM_MulMat)
    ->Name("BM_MulMatQuant")
    ->Apply(quant_shapes)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace lamina
