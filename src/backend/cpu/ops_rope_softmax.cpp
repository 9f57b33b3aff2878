// Position and normalisation ops on the CPU: rotary embedding and (masked) softmax.
#include <cmath>
#include <limits>
#include <vector>

#include "backend/cpu/ops.h"

namespace lamina {

void compute_rope(const Tensor& node, const ComputeCtx& ctx) {
    const Tensor& a = *node.src[0];
    const int32_t* pos = static_cast<const int32_t*>(node.src[1]->data);
    const int n_rot = node.params.i[0];
    const bool neox = node.params.i[1] != 0;
    const double base = node.params.f[0];
    const int64_t n_heads = a.ne[1], rows = a.ne[1] * a.ne[2] * a.ne[3];
    int64_t r0, r1;
    ctx.split(rows, &r0, &r1);
    const int half = n_rot / 2;
    // Rows run head by head within a token, so the rotation of a position is computed once for
    // all its heads (the same double-precision values as per row, only not repeated).
    std::vector<double> freq((size_t)half);
    for (int i = 0; i < half; ++i) freq[(size_t)i] = std::pow(base, -2.0 * i / n_rot);
    std::vector<float> cos_t((size_t)half), sin_t((size_t)half);
    int64_t cached_pos = std::numeric_limits<int64_t>::min();  // no int32 position equals it
    for (int64_t r = r0; r < r1; ++r) {
        const int64_t h = r % n_heads, t = (r / n_heads) % a.ne[2], b3 = r / (n_heads * a.ne[2]);
        const float* x = a.row<const float>(h, t, b3);
        float* y = node.row<float>(h, t, b3);
        if (cached_pos != pos[t]) {
            // theta_i = p * base^(-2i / n_rot), the frequencies of GGUF's Llama RoPE.
            const double p = pos[t];
            for (int i = 0; i < half; ++i) {
                const double theta = p * freq[(size_t)i];
                cos_t[(size_t)i] = (float)std::cos(theta);
                sin_t[(size_t)i] = (float)std::sin(theta);
            }
            cached_pos = pos[t];
        }
        for (int i = 0; i < half; ++i) {
            const float c = cos_t[(size_t)i], s = sin_t[(size_t)i];
            const int i0 = neox ? i : 2 * i;
            const int i1 = neox ? i + half : 2 * i + 1;
            const float x0 = x[i0], x1 = x[i1];
            y[i0] = x0 * c - x1 * s;
            y[i1] = x0 * s + x1 * c;
        }
        for (int64_t i = n_rot; i < a.ne[0]; ++i) y[i] = x[i];
    }
}

void compute_soft_max(const Tensor& node, const ComputeCtx& ctx) {
    const Tensor& a = *node.src[0];
    const float scale = node.params.f[0];
    const bool causal = node.params.i[0] != 0;
    const int64_t n_past = node.params.i[1];
    const int64_t n = a.ne[0];
    int64_t r0, r1;
    ctx.split(a.n_rows(), &r0, &r1);
    for (int64_t r = r0; r < r1; ++r) {
        const int64_t i1 = r % a.ne[1], i2 = (r / a.ne[1]) % a.ne[2], i3 = r / (a.ne[1] * a.ne[2]);
        const float* x = a.row<const float>(i1, i2, i3);
        float* y = node.row<float>(i1, i2, i3);
        const int64_t visible = causal ? std::min(n, n_past + i1 + 1) : n;
        float mx = -std::numeric_limits<float>::infinity();
        for (int64_t j = 0; j < visible; ++j) mx = std::max(mx, x[j] * scale);
        double sum = 0;
        for (int64_t j = 0; j < visible; ++j) {
            y[j] = std::exp(x[j] * scale - mx);
            sum += y[j];
        }
        const float inv = visible > 0 ? (float)(1.0 / sum) : 0.0f;
        for (int64_t j = 0; j < visible; ++j) y[j] *= inv;
        for (int64_t j = visible; j < n; ++j) y[j] = 0.0f;
    }
}

}  // namespace lamina
