// Row-wise and element-wise CPU ops: get_rows, add, mul, scale, rms_norm, silu, swiglu, copy.
#include <algorithm>
#include <cmath>

#include "backend/cpu/ops.h"
#include "core/fp16.h"

namespace lamina {
namespace {

// Row r of a tensor with rows over dims 1..3.
inline const float* row_f32(const Tensor& t, int64_t r) {
    const int64_t i1 = r % t.ne[1], i2 = (r / t.ne[1]) % t.ne[2], i3 = r / (t.ne[1] * t.ne[2]);
    return t.row<const float>(i1, i2, i3);
}
inline float* row_f32_mut(const Tensor& t, int64_t r) {
    const int64_t i1 = r % t.ne[1], i2 = (r / t.ne[1]) % t.ne[2], i3 = r / (t.ne[1] * t.ne[2]);
    return t.row<float>(i1, i2, i3);
}

inline float silu(float x) {
    return x / (1.0f + std::exp(-x));
}

// What one thread of an element-wise op covers: rows [r0, r1), and of each its columns
// [c0, c1). Rows are dealt out when there are enough for every thread; a single generated
// token's row is cut into column pieces instead, so the other threads do not wait idle.
struct Span {
    int64_t r0, r1, c0, c1;
};
Span elementwise_span(const ComputeCtx& ctx, int64_t rows, int64_t n) {
    Span s{0, rows, 0, n};
    if (rows >= ctx.nth) {
        ctx.split(rows, &s.r0, &s.r1);
    } else {
        // Pieces of whole 64-byte lines, so no two threads write one cache line.
        int64_t p0, p1;
        ctx.split((n + 15) / 16, &p0, &p1);
        s.c0 = std::min(n, p0 * 16);
        s.c1 = std::min(n, p1 * 16);
    }
    return s;
}

// out[i] = f(a[i], b[i]) by rows; b's rows repeat when it has fewer. piece(n, x, y, out)
// does a run of one row.
template <typename Piece>
void binary_rows(const Tensor& node, const ComputeCtx& ctx, Piece piece) {
    const Tensor& a = *node.src[0];
    const Tensor& b = *node.src[1];
    const int64_t b_rows = b.n_rows();
    const Span s = elementwise_span(ctx, node.n_rows(), a.ne[0]);
    if (s.c0 >= s.c1) return;
    for (int64_t r = s.r0; r < s.r1; ++r)
        piece(s.c1 - s.c0, row_f32(a, r) + s.c0, row_f32(b, r % b_rows) + s.c0,
              row_f32_mut(node, r) + s.c0);
}

template <typename F>
auto elementwise(F f) {
    return [f](int64_t n, const float* x, const float* y, float* out) {
        for (int64_t i = 0; i < n; ++i) out[i] = f(x[i], y[i]);
    };
}

float load_element(const uint8_t* p, DType t) {
    switch (t) {
        case DType::F16:
            return fp16_to_fp32(*reinterpret_cast<const uint16_t*>(p));
        case DType::BF16:
            return bf16_to_fp32(*reinterpret_cast<const uint16_t*>(p));
        default:
            return *reinterpret_cast<const float*>(p);
    }
}

void store_element(uint8_t* p, DType t, float v) {
    switch (t) {
        case DType::F16:
            *reinterpret_cast<uint16_t*>(p) = fp32_to_fp16(v);
            break;
        case DType::BF16:
            *reinterpret_cast<uint16_t*>(p) = fp32_to_bf16(v);
            break;
        default:
            *reinterpret_cast<float*>(p) = v;
            break;
    }
}

}  // namespace

void compute_get_rows(const Tensor& node, const ComputeCtx& ctx) {
    const Tensor& table = *node.src[0];
    const int32_t* ids = static_cast<const int32_t*>(node.src[1]->data);
    const ToFloatFn to_float = ctx.k->types[(size_t)table.type].to_float;
    int64_t r0, r1;
    ctx.split(node.ne[1], &r0, &r1);
    for (int64_t r = r0; r < r1; ++r) {
        to_float(table.row(ids[r]), node.row<float>(r), table.ne[0]);
    }
}

void compute_add(const Tensor& node, const ComputeCtx& ctx) {
    binary_rows(node, ctx, elementwise([](float x, float y) { return x + y; }));
}

void compute_mul(const Tensor& node, const ComputeCtx& ctx) {
    binary_rows(node, ctx, elementwise([](float x, float y) { return x * y; }));
}

void compute_swiglu(const Tensor& node, const ComputeCtx& ctx) {
    binary_rows(node, ctx, ctx.k->swiglu);
}

void compute_scale(const Tensor& node, const ComputeCtx& ctx) {
    const float s = node.params.f[0];
    int64_t r0, r1;
    ctx.split(node.n_rows(), &r0, &r1);
    for (int64_t r = r0; r < r1; ++r) {
        const float* x = row_f32(*node.src[0], r);
        float* out = row_f32_mut(node, r);
        for (int64_t i = 0; i < node.ne[0]; ++i) out[i] = x[i] * s;
    }
}

void compute_silu(const Tensor& node, const ComputeCtx& ctx) {
    int64_t r0, r1;
    ctx.split(node.n_rows(), &r0, &r1);
    for (int64_t r = r0; r < r1; ++r) {
        const float* x = row_f32(*node.src[0], r);
        float* out = row_f32_mut(node, r);
        for (int64_t i = 0; i < node.ne[0]; ++i) out[i] = silu(x[i]);
    }
}

void rms_norm_row(const float* x, const float* gain, int64_t n, float eps, float* out) {
    // Double accumulation: the mean of squares over thousands of elements is where float
    // summation order would otherwise show up in the logits. Eight partial sums, not one
    // chain of dependent adds (a 2048-wide row took 2.9 us, 1% of a generated token).
    double part[8] = {};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; ++j) part[j] += (double)x[i + j] * x[i + j];
    for (; i < n; ++i) part[0] += (double)x[i] * x[i];
    const double sum =
        ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
    const float s = (float)(1.0 / std::sqrt(sum / (double)n + eps));
    // The norm's weight in the same pass (x * s first, then the gain, as the separate
    // multiply rounded it).
    if (gain)
        for (int64_t i = 0; i < n; ++i) out[i] = (x[i] * s) * gain[i];
    else
        for (int64_t i = 0; i < n; ++i) out[i] = x[i] * s;
}

void compute_rms_norm(const Tensor& node, const ComputeCtx& ctx) {
    const float* gain = node.src[1] ? row_f32(*node.src[1], 0) : nullptr;
    int64_t r0, r1;
    ctx.split(node.n_rows(), &r0, &r1);
    for (int64_t r = r0; r < r1; ++r)
        rms_norm_row(row_f32(*node.src[0], r), gain, node.ne[0], node.params.f[0],
                     row_f32_mut(node, r));
}

void compute_copy(const Tensor& src, const Tensor& dst, const ComputeCtx& ctx) {
    // Iterate in the source's logical order; dst may have a different shape with the same
    // element count (reshaping copy), so map through a flat element index.
    const int64_t n0 = src.ne[0], rows = src.n_rows();
    const size_t ss = type_traits(src.type).type_size, ds = type_traits(dst.type).type_size;
    const bool same_rows = src.ne[0] == dst.ne[0];
    const FromFloatFn convert_row = src.type == DType::F32 && type_traits(dst.type).block_size == 1
                                        ? ctx.k->types[(size_t)dst.type].from_float
                                        : nullptr;
    int64_t r0, r1;
    ctx.split(rows, &r0, &r1);
    for (int64_t r = r0; r < r1; ++r) {
        const int64_t s1 = r % src.ne[1], s2 = (r / src.ne[1]) % src.ne[2],
                      s3 = r / (src.ne[1] * src.ne[2]);
        const uint8_t* sp = src.row<const uint8_t>(s1, s2, s3);
        if (same_rows) {
            const int64_t d1 = r % dst.ne[1], d2 = (r / dst.ne[1]) % dst.ne[2],
                          d3 = r / (dst.ne[1] * dst.ne[2]);
            uint8_t* dp = dst.row<uint8_t>(d1, d2, d3);
            if (src.type == dst.type && src.nb[0] == ss && dst.nb[0] == ds) {
                std::memcpy(dp, sp, (size_t)n0 * ss);
                continue;
            }
            // Float rows into an F16/BF16 cache (each prompt's K and V): the SIMD conversion
            // instead of one element at a time (3.6 ns per element, 0.7% of an F16 prompt).
            if (convert_row && src.nb[0] == ss && dst.nb[0] == ds) {
                convert_row(reinterpret_cast<const float*>(sp), dp, n0);
                continue;
            }
            for (int64_t i = 0; i < n0; ++i)
                store_element(dp + i * dst.nb[0], dst.type,
                              load_element(sp + i * src.nb[0], src.type));
            continue;
        }
        for (int64_t i = 0; i < n0; ++i) {
            const int64_t flat = r * n0 + i;
            const int64_t d0 = flat % dst.ne[0];
            const int64_t dr = flat / dst.ne[0];
            const int64_t d1 = dr % dst.ne[1], d2 = (dr / dst.ne[1]) % dst.ne[2],
                          d3 = dr / (dst.ne[1] * dst.ne[2]);
            uint8_t* dp = dst.row<uint8_t>(d1, d2, d3) + d0 * dst.nb[0];
            store_element(dp, dst.type, load_element(sp + i * src.nb[0], src.type));
        }
    }
}

}  // namespace lamina
