#include "tools/random_weights.h"

#include <algorithm>
#include <cmath>
#include <thread>
#include <vector>

#include "core/fp16.h"
#include "core/rng.h"

namespace lamina {
namespace {

constexpr int64_t kChunk = 1 << 16;  // elements per independently seeded chunk

// One 64-bit draw gives four 16-bit uniforms; their sum has mean 131070 and standard deviation
// sqrt(4 * (65536^2 - 1) / 12) ~= 37837.2.
inline float approx_standard_normal(uint64_t bits) {
    const uint32_t s = (uint32_t)(bits & 0xffff) + (uint32_t)((bits >> 16) & 0xffff) +
                       (uint32_t)((bits >> 32) & 0xffff) + (uint32_t)(bits >> 48);
    constexpr float kInvStd = 1.0f / 37837.2273f;
    return ((float)s - 131070.0f) * kInvStd;
}

void fill_chunk(void* dst, DType type, int64_t begin, int64_t end, uint64_t seed, float mean,
                float stddev) {
    SplitMix64 g(mix_seed(seed, (uint64_t)(begin / kChunk)));
    switch (type) {
        case DType::F32: {
            float* d = static_cast<float*>(dst);
            for (int64_t i = begin; i < end; ++i)
                d[i] = mean + stddev * approx_standard_normal(g.next());
            break;
        }
        case DType::F16: {
            uint16_t* d = static_cast<uint16_t*>(dst);
            for (int64_t i = begin; i < end; ++i)
                d[i] = fp32_to_fp16(mean + stddev * approx_standard_normal(g.next()));
            break;
        }
        case DType::BF16: {
            uint16_t* d = static_cast<uint16_t*>(dst);
            for (int64_t i = begin; i < end; ++i)
                d[i] = fp32_to_bf16(mean + stddev * approx_standard_normal(g.next()));
            break;
        }
        default:
            break;  // rejected by the caller
    }
}

}  // namespace

uint64_t name_hash(const char* name, size_t len) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len; ++i) {
        h ^= (uint8_t)name[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

Status fill_random_normal(void* dst, DType type, int64_t n, uint64_t seed, float mean, float stddev,
                          int n_threads) {
    if (type != DType::F32 && type != DType::F16 && type != DType::BF16) {
        return Status::error(std::string("random weights can only be F32, F16 or BF16, not ") +
                             type_name(type));
    }
    if (n <= 0) return Status::ok();
    const int64_t n_chunks = (n + kChunk - 1) / kChunk;
    if (n_threads <= 0)
        n_threads = (int)std::min(8u, std::max(1u, std::thread::hardware_concurrency()));
    n_threads = (int)std::min<int64_t>(n_threads, n_chunks);
    auto work = [&](int t) {
        for (int64_t c = t; c < n_chunks; c += n_threads) {
            fill_chunk(dst, type, c * kChunk, std::min(n, (c + 1) * kChunk), seed, mean, stddev);
        }
    };
    if (n_threads == 1) {
        work(0);
        return Status::ok();
    }
    std::vector<std::thread> threads;
    threads.reserve(n_threads - 1);
    for (int t = 1; t < n_threads; ++t) threads.emplace_back(work, t);
    work(0);
    for (std::thread& th : threads) th.join();
    return Status::ok();
}

}  // namespace lamina
