// Fused causal attention with grouped K/V heads, reading K and V straight from the cache.
#include <cmath>
#include <limits>

#include "backend/cpu/ops.h"

namespace lamina {

size_t attention_work_size(const Tensor& node, int n_threads) {
    const Tensor& q = *node.src[0];
    const Tensor& k = *node.src[1];
    // Per thread, for one group of query heads: scores over every key, outputs, softmax sums.
    const int64_t group = q.ne[1] / k.ne[1];
    return (size_t)n_threads * (size_t)(group * (k.ne[2] + node.ne[0] + 1) + 16) * sizeof(float);
}

// Work items are (query position, K/V head): the query heads sharing a K/V head are computed
// together so each cache row is read once for all of them. Items are dealt round-robin because
// later positions attend to more keys.
void compute_attention(const Tensor& node, const ComputeCtx& ctx) {
    const Tensor& q = *node.src[0];
    const Tensor& k = *node.src[1];
    const Tensor& v = *node.src[2];
    const float scale = node.params.f[0];
    const int64_t n_past = node.params.i[0];
    const int64_t D = q.ne[0], Hq = q.ne[1], T = q.ne[2], Hkv = k.ne[1], n_kv = k.ne[2];
    const int64_t group = Hq / Hkv;
    const CpuKernels& kern = *ctx.k;

    float* scores = reinterpret_cast<float*>(ctx.wdata) +
                    (size_t)ctx.ith * (size_t)(group * (n_kv + D + 1) + 16);
    float* acc = scores + group * n_kv;
    float* sums = acc + group * D;
    const int64_t ldq = (int64_t)(q.nb[1] / sizeof(float));
    const bool f16k = k.type == DType::F16, f16v = v.type == DType::F16;

    for (int64_t w = ctx.ith; w < T * Hkv; w += ctx.nth) {
        const int64_t t = w / Hkv, hk = w % Hkv, h0 = hk * group;
        const float* qv = q.row<const float>(h0, t);
        const int64_t n_keys = n_past + t + 1;
        // Keys of one head are n_kv rows apart by nb[2].
        if (f16k) {
            kern.attn_scores_f16(D, k.row<const uint16_t>(hk, 0),
                                 (int64_t)(k.nb[2] / sizeof(uint16_t)), n_keys, qv, ldq, group,
                                 scale, scores, n_kv);
        } else {
            for (int64_t i = 0; i < group; ++i)
                for (int64_t j = 0; j < n_keys; ++j)
                    scores[i * n_kv + j] =
                        scale * kern.dot_f32(D, k.row<const float>(hk, j), qv + i * ldq);
        }
        // Softmax numerators; the normalisation is applied to the outputs instead.
        for (int64_t i = 0; i < group; ++i) {
            float* row = scores + i * n_kv;
            float mx = -std::numeric_limits<float>::infinity();
            for (int64_t j = 0; j < n_keys; ++j) mx = std::max(mx, row[j]);
            sums[i] = kern.exp_sum(n_keys, row, mx);
        }
        for (int64_t i = 0; i < group * D; ++i) acc[i] = 0.0f;
        if (f16v) {
            kern.attn_values_f16(D, scores, n_kv, v.row<const uint16_t>(hk, 0),
                                 (int64_t)(v.nb[2] / sizeof(uint16_t)), n_keys, group, acc, D);
        } else {
            for (int64_t i = 0; i < group; ++i)
                for (int64_t j = 0; j < n_keys; ++j)
                    kern.axpy_f32(D, scores[i * n_kv + j], v.row<const float>(hk, j), acc + i * D);
        }
        for (int64_t i = 0; i < group; ++i) {
            const float inv = 1.0f / sums[i];
            float* out = node.row<float>(h0 + i, t);
            for (int64_t c = 0; c < D; ++c) out[c] = acc[i * D + c] * inv;
        }
    }
}

}  // namespace lamina
