// The reference backend's ops: each the plain loop its definition in core/tensor.h describes.
#include <algorithm>
#include <cmath>
#include <vector>

#include "backend/reference/reference_backend.h"
#include "quant/type_traits.h"
#include "core/fp16.h"

namespace lamina {
namespace {

// Calls f(i1, i2, i3) for every row of t.
template <class F>
void for_rows(const Tensor& t, F&& f) {
    for (int64_t i3 = 0; i3 < t.ne[3]; ++i3)
        for (int64_t i2 = 0; i2 < t.ne[2]; ++i2)
            for (int64_t i1 = 0; i1 < t.ne[1]; ++i1) f(i1, i2, i3);
}

// Element i (in order of ne0, ne1, ...) of a float tensor, and writing one.
float element(const Tensor& t, int64_t i) {
    const int64_t i0 = i % t.ne[0], i1 = i / t.ne[0] % t.ne[1],
                  i2 = i / (t.ne[0] * t.ne[1]) % t.ne[2], i3 = i / (t.ne[0] * t.ne[1] * t.ne[2]);
    const uint8_t* p = t.row<const uint8_t>(i1, i2, i3) + i0 * t.nb[0];
    if (t.type == DType::F16) return fp16_to_fp32(*reinterpret_cast<const uint16_t*>(p));
    return *reinterpret_cast<const float*>(p);
}
void set_element(const Tensor& t, int64_t i, float v) {
    const int64_t i0 = i % t.ne[0], i1 = i / t.ne[0] % t.ne[1],
                  i2 = i / (t.ne[0] * t.ne[1]) % t.ne[2], i3 = i / (t.ne[0] * t.ne[1] * t.ne[2]);
    uint8_t* p = t.row<uint8_t>(i1, i2, i3) + i0 * t.nb[0];
    if (t.type == DType::F16)
        *reinterpret_cast<uint16_t*>(p) = fp32_to_fp16(v);
    else
        *reinterpret_cast<float*>(p) = v;
}

// Row r of a float or F16 tensor as floats.
void row_as_float(const Tensor& t, int64_t i1, int64_t i2, int64_t i3, float* out) {
    type_traits(t.type).to_float(t.row(i1, i2, i3), out, t.ne[0]);
}

void get_rows(const Tensor& n) {
    const Tensor& table = *n.src[0];
    const Tensor& ids = *n.src[1];
    for (int64_t r = 0; r < n.ne[1]; ++r)
        row_as_float(table, ids.row<const int32_t>(0)[r], 0, 0, n.row<float>(r));
}

// out[n, m] = dot(w row n, x row m), x rounded through the weights' vec_dot_type first as the
// reference dot expects (and as llama.cpp does).
void mul_mat(const Tensor& node) {
    const Tensor& w = *node.src[0];
    const Tensor& x = *node.src[1];
    const TypeTraits& tt = type_traits(w.type);
    const DType vdt = tt.vec_dot_type;
    const int64_t K = x.ne[0];
    std::vector<uint8_t> xq(row_size(vdt, K));
    for_rows(x, [&](int64_t m, int64_t i2, int64_t i3) {
        const float* xr = x.row<const float>(m, i2, i3);
        if (vdt == DType::F32)
            std::copy(xr, xr + K, reinterpret_cast<float*>(xq.data()));
        else
            type_traits(vdt).from_float(xr, xq.data(), K);
        float* out = node.row<float>(m, i2, i3);
        const int64_t w2 = i2 / (x.ne[2] / w.ne[2]), w3 = i3 / (x.ne[3] / w.ne[3]);
        for (int64_t r = 0; r < w.ne[1]; ++r) out[r] = tt.vec_dot(K, w.row(r, w2, w3), xq.data());
    });
}

// Add and Mul: b's rows repeat over a's.
template <class F>
void binary(const Tensor& node, F&& f) {
    const Tensor& a = *node.src[0];
    const Tensor& b = *node.src[1];
    for_rows(node, [&](int64_t i1, int64_t i2, int64_t i3) {
        const float* x = a.row<const float>(i1, i2, i3);
        const float* y = b.row<const float>(i1 % b.ne[1], i2 % b.ne[2], i3 % b.ne[3]);
        float* out = node.row<float>(i1, i2, i3);
        for (int64_t i = 0; i < node.ne[0]; ++i) out[i] = f(x[i], y[i]);
    });
}

// Ops of one source row each: f(in, out) for every row.
template <class F>
void rowwise(const Tensor& node, F&& f) {
    const Tensor& a = *node.src[0];
    for_rows(node, [&](int64_t i1, int64_t i2, int64_t i3) {
        f(a.row<const float>(i1, i2, i3), node.row<float>(i1, i2, i3), i1, i2);
    });
}

float silu(float v) {
    return v / (1.0f + std::exp(-v));
}

void rope(const Tensor& node) {
    const Tensor& pos = *node.src[1];
    const int n_rot = node.params.i[0];
    const bool neox = node.params.i[1] != 0;
    const double base = node.params.f[0];
    const int half = n_rot / 2;
    rowwise(node, [&](const float* in, float* out, int64_t, int64_t i2) {
        std::copy(in, in + node.ne[0], out);
        const double p = pos.row<const int32_t>(0)[i2];
        for (int i = 0; i < half; ++i) {
            const double theta = p * std::pow(base, -2.0 * i / n_rot);
            const float c = (float)std::cos(theta), s = (float)std::sin(theta);
            const int j0 = neox ? i : 2 * i, j1 = neox ? i + half : 2 * i + 1;
            out[j0] = in[j0] * c - in[j1] * s;
            out[j1] = in[j0] * s + in[j1] * c;
        }
    });
}

// Softmax of x[0..n) * scale into out, with positions from `visible` on masked.
void softmax_row(const float* x, float scale, int64_t n, int64_t visible, float* out) {
    float mx = -INFINITY;
    for (int64_t j = 0; j < visible; ++j) mx = std::max(mx, x[j] * scale);
    double sum = 0;
    for (int64_t j = 0; j < visible; ++j) sum += out[j] = std::exp(x[j] * scale - mx);
    for (int64_t j = 0; j < visible; ++j) out[j] = (float)(out[j] / sum);
    for (int64_t j = visible; j < n; ++j) out[j] = 0.0f;
}

// Query t of head h (position n_past + t) against keys 0 .. n_past + t of K/V head
// h / (Hq / Hkv): softmax of the scaled scores, times the value rows.
void attention(const Tensor& node) {
    const Tensor& q = *node.src[0];
    const Tensor& k = *node.src[1];
    const Tensor& v = *node.src[2];
    const float scale = node.params.f[0];
    const int64_t n_past = node.params.i[0];
    const int64_t D = q.ne[0], Hq = q.ne[1], T = q.ne[2], Hkv = k.ne[1], n_kv = k.ne[2];
    std::vector<float> scores((size_t)n_kv), krow((size_t)D), vrow((size_t)D);
    for (int64_t t = 0; t < T; ++t)
        for (int64_t h = 0; h < Hq; ++h) {
            const int64_t hk = h / (Hq / Hkv);
            const int64_t visible = std::min(n_kv, n_past + t + 1);
            const float* qr = q.row<const float>(h, t);
            for (int64_t j = 0; j < visible; ++j) {
                row_as_float(k, hk, j, 0, krow.data());
                float dot = 0;
                for (int64_t d = 0; d < D; ++d) dot += qr[d] * krow[(size_t)d];
                scores[(size_t)j] = dot;
            }
            softmax_row(scores.data(), scale, visible, visible, scores.data());
            float* out = node.row<float>(h, t);
            std::fill(out, out + D, 0.0f);
            for (int64_t j = 0; j < visible; ++j) {
                row_as_float(v, hk, j, 0, vrow.data());
                for (int64_t d = 0; d < D; ++d) out[d] += scores[(size_t)j] * vrow[(size_t)d];
            }
        }
}

}  // namespace

void reference_compute(const Tensor& node) {
    switch (node.op) {
        case Op::None:
        case Op::Reshape:
        case Op::View:
        case Op::Permute:
        case Op::Transpose:
            return;  // nothing to compute: views alias their source
        case Op::GetRows:
            return get_rows(node);
        case Op::MulMat:
            return mul_mat(node);
        case Op::Add:
            return binary(node, [](float x, float y) { return x + y; });
        case Op::Mul:
            return binary(node, [](float x, float y) { return x * y; });
        case Op::Scale:
            return rowwise(node, [&](const float* in, float* out, int64_t, int64_t) {
                for (int64_t i = 0; i < node.ne[0]; ++i) out[i] = in[i] * node.params.f[0];
            });
        case Op::Silu:
            return rowwise(node, [&](const float* in, float* out, int64_t, int64_t) {
                for (int64_t i = 0; i < node.ne[0]; ++i) out[i] = silu(in[i]);
            });
        case Op::SwiGlu:
            return binary(node, [](float g, float u) { return silu(g) * u; });
        case Op::RmsNorm: {
            const Tensor* gain = node.src[1];
            return rowwise(node, [&](const float* in, float* out, int64_t, int64_t) {
                double ss = 0;
                for (int64_t i = 0; i < node.ne[0]; ++i) ss += (double)in[i] * in[i];
                const float r = (float)(1.0 / std::sqrt(ss / node.ne[0] + node.params.f[0]));
                for (int64_t i = 0; i < node.ne[0]; ++i)
                    out[i] = in[i] * r * (gain ? gain->row<const float>(0)[i] : 1.0f);
            });
        }
        case Op::Rope:
            return rope(node);
        case Op::SoftMax: {
            const bool causal = node.params.i[0] != 0;
            const int64_t n_past = node.params.i[1], n = node.ne[0];
            return rowwise(node, [&](const float* in, float* out, int64_t i1, int64_t) {
                const int64_t visible = causal ? std::min(n, n_past + i1 + 1) : n;
                softmax_row(in, node.params.f[0], n, visible, out);
            });
        }
        case Op::Copy:  // the node is a view of the destination, src[1]
        case Op::Cont:
            for (int64_t i = 0; i < node.n_elements(); ++i)
                set_element(node, i, element(*node.src[0], i));
            return;
        case Op::Attention:
            return attention(node);
    }
}

}  // namespace lamina
