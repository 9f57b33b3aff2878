// Attention throughput at TinyLlama's head shape (64-value heads, 32 query heads over 4 K/V heads,
// F16 cache) through the CPU backend: a prompt batch of T positions after `depth` cached ones.
// GFLOPS counts 2 per multiply-add of the scores and the weighted values, causal half included.
// Arguments: T, depth, threads, K/V heads (4; 1 for a multi-query shape, where generation has a
// single work item and the keys are split across the threads), layers (attention ops on caches
// of their own, computed one after another). LAMINA_ISA lowers the ISA as for the other
// benchmarks.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "backend/cpu/cpu_backend.h"
#include "core/aligned_buffer.h"
#include "core/fp16.h"
#include "core/graph.h"

namespace lamina {
namespace {

void BM_Attention(benchmark::State& state) {
    const int64_t T = state.range(0), depth = state.range(1);
    const int threads = (int)state.range(2);
    const int64_t D = 64, Hq = 32, Hkv = state.range(3), n_kv = depth + T;
    const int64_t layers = state.range(4);
    std::mt19937 rng(1);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> q((size_t)(D * Hq * T));
    for (float& v : q) v = dist(rng);
    // Every layer its own cache, in 2 MiB pages as the KV cache is: 22 layers at depth 4096
    // (92 MiB) stream from memory as a model's do, one layer stays in the L3 cache.
    const size_t kv_bytes = (size_t)(D * Hkv * n_kv) * sizeof(uint16_t);
    std::vector<AlignedBytes> caches;
    for (int64_t l = 0; l < 2 * layers; ++l) {
        caches.push_back(huge_page_bytes(kv_bytes));
        if (!caches.back()) return state.SkipWithError("out of memory");
        uint16_t* c = reinterpret_cast<uint16_t*>(caches.back().get());
        for (size_t i = 0; i < kv_bytes / sizeof(uint16_t); ++i) c[i] = fp32_to_fp16(dist(rng));
    }
    CpuBackend be(threads);
    Graph g;
    const int64_t ne_q[3] = {D, Hq, T}, ne_kv[3] = {D, Hkv, n_kv};
    for (int64_t l = 0; l < layers; ++l) {
        Tensor* out = g.attention(g.external(DType::F32, ne_q, 3, q.data()),
                                  g.external(DType::F16, ne_kv, 3, caches[2 * l].get()),
                                  g.external(DType::F16, ne_kv, 3, caches[2 * l + 1].get()), 0.125f,
                                  (int)depth);
        out->is_output = true;
    }
    if (!be.allocate(g).is_ok()) return state.SkipWithError("allocate failed");
    for (auto _ : state) {
        if (!be.compute(g).is_ok()) return state.SkipWithError("compute failed");
        benchmark::ClobberMemory();
    }
    // Position t attends to depth + t + 1 keys.
    const double keys = (double)T * (double)depth + (double)T * (double)(T + 1) / 2;
    state.counters["GFLOPS"] = benchmark::Counter(
        (double)state.iterations() * (double)layers * keys * (double)(Hq * D) * 4 / 1e9,
        benchmark::Counter::kIsRate);
    state.SetLabel(isa_name(be.isa()));
}
BENCHMARK(BM_Attention)
    ->Args({512, 0, 2, 4, 1})
    ->Args({512, 4096, 2, 4, 1})
    ->Args({1, 4096, 2, 4, 1})
    ->Args({1, 4096, 2, 4, 22})
    ->Args({1, 4096, 1, 1, 1})
    ->Args({1, 4096, 2, 1, 1})
    ->Args({1, 4096, 2, 1, 22})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace lamina
