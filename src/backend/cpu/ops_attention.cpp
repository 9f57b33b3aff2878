// Fused causal attention with grouped K/V heads, reading K and V straight from the cache.
#include <cmath>
#include <limits>

#include "backend/cpu/ops.h"

namespace lamina {

size_t attention_work_size(const Tensor& node, int n_threads) {
    const Tensor& k = *node.src[1];
    // Per thread: scores over every key, plus one output accumulator.
    return (size_t)n_threads * (size_t)(k.ne[2] + node.ne[0] + 16) * sizeof(float);
}

void compute_attention(const Tensor& node, const ComputeCtx& ctx) {
    const Tensor& q = *node.src[0];
    const Tensor& k = *node.src[1];
    const Tensor& v = *node.src[2];
    const float scale = node.params.f[0];
    const int64_t n_past = node.params.i[0];
    const int64_t D = q.ne[0], Hq = q.ne[1], T = q.ne[2], Hkv = k.ne[1];
    const int64_t group = Hq / Hkv;
    const CpuKernels& kern = *ctx.k;

    float* scratch =
        reinterpret_cast<float*>(ctx.wdata) + (size_t)ctx.ith * (size_t)(k.ne[2] + D + 16);
    float* scores = scratch;
    float* acc = scratch + k.ne[2];

    int64_t w0, w1;
    ctx.split(T * Hq, &w0, &w1);
    for (int64_t w = w0; w < w1; ++w) {
        const int64_t t = w / Hq, h = w % Hq, hk = h / group;
        const float* qv = q.row<const float>(h, t);
        const int64_t n_keys = n_past + t + 1;
        // Keys of one head are n_kv rows apart by nb[2]; the F16 cache (the usual one) takes
        // whole-row kernels, one call per (query, head) rather than per key.
        const bool f16k = k.type == DType::F16, f16v = v.type == DType::F16;
        if (f16k) {
            kern.attn_scores_f16(D, k.row<const uint16_t>(hk, 0),
                                 (int64_t)(k.nb[2] / sizeof(uint16_t)), n_keys, qv, scale, scores);
        } else {
            for (int64_t j = 0; j < n_keys; ++j)
                scores[j] = scale * kern.dot_f32(D, k.row<const float>(hk, j), qv);
        }
        float mx = -std::numeric_limits<float>::infinity();
        for (int64_t j = 0; j < n_keys; ++j) mx = std::max(mx, scores[j]);
        const float sum = kern.exp_sum(n_keys, scores, mx);
        for (int64_t i = 0; i < D; ++i) acc[i] = 0.0f;
        if (f16v) {
            kern.attn_values_f16(D, scores, v.row<const uint16_t>(hk, 0),
                                 (int64_t)(v.nb[2] / sizeof(uint16_t)), n_keys, acc);
        } else {
            for (int64_t j = 0; j < n_keys; ++j)
                kern.axpy_f32(D, scores[j], v.row<const float>(hk, j), acc);
        }
        const float inv = 1.0f / sum;
        float* out = node.row<float>(h, t);
        for (int64_t i = 0; i < D; ++i) out[i] = acc[i] * inv;
    }
}

}  // namespace lamina
