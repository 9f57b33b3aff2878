// Sampler cost per token at large vocabulary sizes (Qwen-like 151936 tokens).
#include <benchmark/benchmark.h>

#include <vector>

#include "sampling/sampler.h"

namespace lamina {
namespace {

std::vector<float> bench_logits(int n) {
    SplitMix64 g(17);
    std::vector<float> l(n);
    for (float& x : l) x = (float)(g.next_double() * 20.0 - 10.0);
    return l;
}

void run(benchmark::State& state, SamplerParams p) {
    const int n = (int)state.range(0);
    const std::vector<float> logits = bench_logits(n);
    Sampler s(p);
    for (auto _ : state) {
        TokenId t = s.sample(logits.data(), n);
        s.accept(t);
        benchmark::DoNotOptimize(t);
    }
}

void BM_SampleDefaultChain(benchmark::State& state) {
    run(state, SamplerParams{});
}
void BM_SampleGreedy(benchmark::State& state) {
    SamplerParams p;
    p.temp = 0.0f;
    run(state, p);
}
void BM_SampleTopPOnly(benchmark::State& state) {
    SamplerParams p;
    p.top_k = 0;
    p.min_p = 0.0f;
    p.repeat_penalty = 1.1f;
    run(state, p);
}

BENCHMARK(BM_SampleDefaultChain)->Arg(32000)->Arg(151936);
BENCHMARK(BM_SampleGreedy)->Arg(32000)->Arg(151936);
BENCHMARK(BM_SampleTopPOnly)->Arg(32000)->Arg(151936);

}  // namespace
}  // namespace lamina
