// Throughput of the scalar reference kernels: dequantization, activation quantization and vec_dot
// per quantized format (elements per second). SIMD versions will be measured against these.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "quant/type_traits.h"

namespace lamina {
namespace {

constexpr int64_t kRow = 4096;  // a typical hidden size; a multiple of every block size

std::vector<float> bench_data(int64_t n) {
    std::mt19937 rng(1);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> v((size_t)n);
    for (float& x : v) x = dist(rng);
    return v;
}

void BM_Dequantize(benchmark::State& state, DType t) {
    const std::vector<float> x = bench_data(kRow);
    std::vector<uint8_t> q(row_size(t, kRow));
    type_traits(t).from_float(x.data(), q.data(), kRow);
    std::vector<float> y((size_t)kRow);
    for (auto _ : state) {
        type_traits(t).to_float(q.data(), y.data(), kRow);
        benchmark::DoNotOptimize(y.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * kRow);
    state.SetBytesProcessed(state.iterations() * (int64_t)q.size());
}

void BM_Quantize(benchmark::State& state, DType t) {
    const std::vector<float> x = bench_data(kRow);
    std::vector<uint8_t> q(row_size(t, kRow));
    for (auto _ : state) {
        type_traits(t).from_float(x.data(), q.data(), kRow);
        benchmark::DoNotOptimize(q.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * kRow);
}

void BM_VecDot(benchmark::State& state, DType t) {
    const TypeTraits& tt = type_traits(t);
    const std::vector<float> x = bench_data(kRow);
    std::vector<uint8_t> qx(row_size(t, kRow)), qy(row_size(tt.vec_dot_type, kRow));
    tt.from_float(x.data(), qx.data(), kRow);
    type_traits(tt.vec_dot_type).from_float(x.data(), qy.data(), kRow);
    for (auto _ : state) benchmark::DoNotOptimize(tt.vec_dot(kRow, qx.data(), qy.data()));
    state.SetItemsProcessed(state.iterations() * kRow);
    state.SetBytesProcessed(state.iterations() * (int64_t)qx.size());
}

void register_quant_benchmarks() {
    const DType weights[] = {DType::Q8_0, DType::Q4_0, DType::Q4_1,   DType::Q5_0,
                             DType::Q5_1, DType::Q2_K, DType::Q3_K,   DType::Q4_K,
                             DType::Q5_K, DType::Q6_K, DType::IQ4_NL, DType::IQ4_XS};
    for (DType t : weights) {
        const std::string name = type_name(t);
        benchmark::RegisterBenchmark(("BM_QuantDequantize/" + name).c_str(), BM_Dequantize, t);
        benchmark::RegisterBenchmark(("BM_QuantVecDot/" + name).c_str(), BM_VecDot, t);
    }
    // from_float matters at run time only for the activation formats.
    for (DType t : {DType::Q8_0, DType::Q8_1, DType::Q8_K}) {
        const std::string name = type_name(t);
        benchmark::RegisterBenchmark(("BM_QuantQuantize/" + name).c_str(), BM_Quantize, t);
    }
}

// Registered at load time, like BENCHMARK(), since the format list is data.
const int registered = (register_quant_benchmarks(), 0);

}  // namespace
}  // namespace lamina
