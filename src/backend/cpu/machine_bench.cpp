// The machine's limits that the kernels are measured against: float32 FMA peak, int8
// multiply-add peak (vpdpbusd with AVX-512 VNNI, vpmaddubsw without) and memory read bandwidth,
// on 1 and 2 threads (Google Benchmark runs one copy per thread; rates are summed). GCC 12
// reports its own AVX-512 intrinsics (which start from _mm512_undefined_*) as "(maybe)
// uninitialized" once inlined; the warning is about the header, not this code.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <benchmark/benchmark.h>

#include <immintrin.h>

#include <cstdlib>
#include <cstring>

#include "backend/cpu/cpu_features.h"
#include "core/aligned_buffer.h"

namespace lamina {
namespace {

// 16 independent FMA chains: enough to cover FMA latency on two pipes.
__attribute__((target("avx512f"), noinline)) float fma_loop_avx512(int64_t iters, float seed) {
    __m512 acc[16];
    for (int i = 0; i < 16; ++i) acc[i] = _mm512_set1_ps(seed + (float)i);
    const __m512 a = _mm512_set1_ps(0.999f), b = _mm512_set1_ps(1e-4f);
    for (int64_t it = 0; it < iters; ++it) {
#pragma GCC unroll 16
        for (int i = 0; i < 16; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    }
    __m512 s = acc[0];
    for (int i = 1; i < 16; ++i) s = _mm512_add_ps(s, acc[i]);
    float out[16];
    _mm512_storeu_ps(out, s);
    return out[0] + out[15];
}

__attribute__((target("avx2,fma"), noinline)) float fma_loop_avx2(int64_t iters, float seed) {
    __m256 acc[12];
    for (int i = 0; i < 12; ++i) acc[i] = _mm256_set1_ps(seed + (float)i);
    const __m256 a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(1e-4f);
    for (int64_t it = 0; it < iters; ++it) {
#pragma GCC unroll 12
        for (int i = 0; i < 12; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
    }
    __m256 s = acc[0];
    for (int i = 1; i < 12; ++i) s = _mm256_add_ps(s, acc[i]);
    float out[8];
    _mm256_storeu_ps(out, s);
    return out[0] + out[7];
}

// Calls loop(iters, seed) per benchmark iteration (a fresh seed each time, so the call cannot be
// hoisted) and reports `counter` at ops_per_iter operations per loop iteration.
template <typename Seed, typename Loop>
void run_peak(benchmark::State& state, Loop loop, Seed seed, double ops_per_iter,
              const char* counter) {
    const int64_t iters = 1 << 16;
    for (auto _ : state) {
        benchmark::DoNotOptimize(seed);
        benchmark::DoNotOptimize(loop(iters, seed));
    }
    state.counters[counter] =
        benchmark::Counter((double)state.iterations() * (double)iters * ops_per_iter / 1e9,
                           benchmark::Counter::kIsRate);
}

// Operations counted as 2 per multiply-add lane (16 chains of 16 or 12 chains of 8 lanes).
void BM_FmaPeakAvx512(benchmark::State& state) {
    if (!CpuFeatures::detect().avx512) return state.SkipWithError("no AVX-512 on this CPU");
    run_peak(state, fma_loop_avx512, 1.0f, 16 * 16 * 2, "GFLOPS");
}
BENCHMARK(BM_FmaPeakAvx512)->Threads(1)->Threads(2)->UseRealTime();

void BM_FmaPeakAvx2(benchmark::State& state) {
    if (!CpuFeatures::detect().avx2) return state.SkipWithError("no AVX2 on this CPU");
    run_peak(state, fma_loop_avx2, 1.0f, 12 * 8 * 2, "GFLOPS");
}
BENCHMARK(BM_FmaPeakAvx2)->Threads(1)->Threads(2)->UseRealTime();

// 16 independent vpdpbusd chains; each instruction is 64 byte multiply-adds, counted as 128
// operations like the FMA's 2 per lane.
__attribute__((target("avx512f,avx512bw,avx512vnni"), noinline)) int vnni_loop(int64_t iters,
                                                                               int seed) {
    __m512i acc[16];
    for (int i = 0; i < 16; ++i) acc[i] = _mm512_set1_epi32(seed + i);
    const __m512i a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(-2);
    for (int64_t it = 0; it < iters; ++it) {
#pragma GCC unroll 16
        for (int i = 0; i < 16; ++i) acc[i] = _mm512_dpbusd_epi32(acc[i], a, b);
    }
    __m512i s = acc[0];
    for (int i = 1; i < 16; ++i) s = _mm512_add_epi32(s, acc[i]);
    return _mm512_reduce_add_epi32(s);
}

void BM_VnniPeakAvx512(benchmark::State& state) {
    const CpuFeatures f = CpuFeatures::detect();
    if (!f.avx512 || !f.avx512_vnni) return state.SkipWithError("no AVX-512 VNNI on this CPU");
    run_peak(state, vnni_loop, 1, 16 * 64 * 2, "GOPS");
}
BENCHMARK(BM_VnniPeakAvx512)->Threads(1)->Threads(2)->UseRealTime();

// The AVX2 int8 rate without VNNI: vpmaddubsw (32 unsigned x signed byte products, summed in
// pairs to int16) into int16 accumulators by vpaddw, the inner step of the AVX2 integer GEMM;
// 8 independent chains (more spill to the stack). Each vpmaddubsw counts as 64 operations.
__attribute__((target("avx2"), noinline)) int maddubs_loop(int64_t iters, int seed) {
    __m256i acc[8];
    for (int i = 0; i < 8; ++i) acc[i] = _mm256_set1_epi16((short)(seed + i));
    const __m256i b = _mm256_set1_epi8(-2), c = _mm256_set1_epi16(1);
    for (int64_t it = 0; it < iters; ++it) {
        // Each chain feeds its sum back in as the next unsigned operand, so nothing is hoisted.
#pragma GCC unroll 8
        for (int i = 0; i < 8; ++i) acc[i] = _mm256_add_epi16(_mm256_maddubs_epi16(acc[i], b), c);
    }
    __m256i s = acc[0];
    for (int i = 1; i < 8; ++i) s = _mm256_add_epi16(s, acc[i]);
    return _mm256_extract_epi16(s, 0) + _mm256_extract_epi16(s, 15);
}

void BM_Int8PeakAvx2(benchmark::State& state) {
    if (!CpuFeatures::detect().avx2) return state.SkipWithError("no AVX2 on this CPU");
    run_peak(state, maddubs_loop, 1, 8 * 32 * 2, "GOPS");
}
BENCHMARK(BM_Int8PeakAvx2)->Threads(1)->Threads(2)->UseRealTime();

// One 1 GiB buffer, far larger than any cache; each thread streams its own half. It is advised
// as 2 MiB pages, as the weights are when read into memory: with 4 KiB pages TLB misses, not
// DRAM, can set the pace.
constexpr size_t kBufBytes = size_t(1) << 30;
const uint8_t* big_buffer() {
    static const AlignedBytes buf = [] {
        AlignedBytes p = huge_page_bytes(kBufBytes);
        std::memset(p.get(), 1, kBufBytes);
        return p;
    }();
    return buf.get();
}

__attribute__((target("avx2"))) int64_t read_sum(const uint8_t* p, size_t n) {
    __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
    for (size_t i = 0; i < n; i += 128) {
        a0 = _mm256_add_epi32(a0, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i)));
        a1 = _mm256_add_epi32(a1, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 32)));
        a2 = _mm256_add_epi32(a2, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 64)));
        a3 = _mm256_add_epi32(a3, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 96)));
    }
    const __m256i s = _mm256_add_epi32(_mm256_add_epi32(a0, a1), _mm256_add_epi32(a2, a3));
    return _mm256_extract_epi32(s, 0) + _mm256_extract_epi32(s, 7);
}

void BM_ReadBandwidth(benchmark::State& state) {
    if (!CpuFeatures::detect().avx2) return state.SkipWithError("no AVX2 on this CPU");
    const uint8_t* buf = big_buffer();
    const size_t share = kBufBytes / (size_t)state.threads();
    const uint8_t* mine = buf + share * (size_t)state.thread_index();
    for (auto _ : state) benchmark::DoNotOptimize(read_sum(mine, share));
    state.counters["GB/s"] = benchmark::Counter((double)state.iterations() * (double)share / 1e9,
                                                benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ReadBandwidth)->Threads(1)->Threads(2)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace lamina
