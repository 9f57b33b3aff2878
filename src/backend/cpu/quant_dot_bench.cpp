// Throughput of the selected ISA's quantized dot kernels over a weight matrix that stays in
// cache (compute speed, not memory): GB/s of weights read, to compare with the machine's
// streaming bandwidth per core.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "backend/cpu/cpu_features.h"
#include "backend/cpu/interleave.h"
#include "backend/cpu/kernels.h"
#include "core/aligned_buffer.h"
#include "core/types.h"

namespace lamina {
namespace {

constexpr int64_t kCols = 2048, kRows = 256;

// A kRows x kCols matrix of normal values quantized to t, 64-byte aligned as weights read into
// memory are (the 256-bit kernels' speed depends on it), and one activation row.
struct Operands {
    AlignedBytes weights;
    std::vector<float> x;
};
Operands random_operands(DType t) {
    const TypeTraits& tt = type_traits(t);
    std::mt19937 rng(1);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> w((size_t)(kCols * kRows));
    const size_t row = row_size(t, kCols);
    Operands o{aligned_bytes(row * kRows, 64), std::vector<float>(kCols)};
    for (float& v : w) v = dist(rng);
    for (float& v : o.x) v = dist(rng);
    for (int64_t r = 0; r < kRows; ++r)
        tt.from_float(w.data() + r * kCols, o.weights.get() + r * row, kCols);
    return o;
}

void BM_SimdVecDot(benchmark::State& state, DType t) {
    const TypeTraits& tt = type_traits(t);
    const CpuKernels& k = cpu_kernels(CpuFeatures::detect().best_isa());
    const Operands o = random_operands(t);
    const uint8_t* qw = o.weights.get();
    const std::vector<float>& x = o.x;
    const size_t row = row_size(t, kCols);
    std::vector<uint8_t> qx(row_size(tt.vec_dot_type, kCols));
    type_traits(tt.vec_dot_type).from_float(x.data(), qx.data(), kCols);
    VecDotFn dot = k.types[(size_t)t].vec_dot;
    // Where the kernel has its own activation layout, mul_mat uses that: measure it.
    std::vector<uint8_t> prepared((size_t)kCols * CpuKernels::kPreparedBytesPerValue);
    const CpuKernels::PreparedDot& p = k.types[(size_t)t].prepared;
    if (p.prepare && kCols % p.k_multiple == 0) {
        p.prepare(x.data(), prepared.data(), kCols);
        qx.assign(prepared.begin(), prepared.end());
        dot = p.dot;
    }
    for (auto _ : state) {
        float s = 0;
        for (int64_t r = 0; r < kRows; ++r) s += dot(kCols, qw + r * row, qx.data());
        benchmark::DoNotOptimize(s);
    }
    state.SetBytesProcessed(state.iterations() * (int64_t)(row * kRows));
}

// The same matrix interleaved in groups of eight rows (backend/cpu/interleave.h), through the
// selected ISA's eight-row kernel.
void BM_SimdInterleavedDot(benchmark::State& state, DType t) {
    const CpuKernels::InterleavedDot& k =
        cpu_kernels(CpuFeatures::detect().best_isa()).types[(size_t)t].interleaved;
    const Operands o = random_operands(t);
    uint8_t* qw = o.weights.get();
    const std::vector<float>& x = o.x;
    const size_t row = row_size(t, kCols);
    quant::interleave_rows(t, qw, kRows, row);
    std::vector<uint8_t> prepared((size_t)kCols * CpuKernels::kPreparedBytesPerValue);
    k.prepare(x.data(), prepared.data(), kCols);
    float out[kRows];
    for (auto _ : state) {
        for (int64_t g = 0; g < kRows; g += quant::kInterleave)
            k.dot8(kCols, qw + g * row, prepared.data(), out + g);
        benchmark::DoNotOptimize(out);
    }
    state.SetBytesProcessed(state.iterations() * (int64_t)(row * kRows));
}

void register_simd_dot_benchmarks() {
    for (DType t : {DType::Q8_0, DType::Q4_0, DType::Q4_K})
        benchmark::RegisterBenchmark(
            (std::string("BM_SimdInterleavedDot/") + type_traits(t).name).c_str(),
            BM_SimdInterleavedDot, t);
    for (DType t :
         {DType::Q8_0, DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q4_K, DType::Q6_K,
          DType::Q5_K, DType::Q3_K, DType::IQ4_NL, DType::Q2_K, DType::IQ4_XS})
        benchmark::RegisterBenchmark((std::string("BM_SimdVecDot/") + type_traits(t).name).c_str(),
                                     BM_SimdVecDot, t);
}

const int registered = (register_simd_dot_benchmarks(), 0);

}  // namespace
}  // namespace lamina
