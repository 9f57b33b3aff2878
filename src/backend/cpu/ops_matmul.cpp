// Matrix multiplication on the CPU: activations converted once, then row-by-row dot kernels.
#include <algorithm>

#include "backend/cpu/ops.h"

namespace lamina {
namespace {

// Activations need converting unless the weights dot directly against contiguous float rows.
bool needs_conversion(const Tensor& w, const Tensor& x) {
    const DType vdt = type_traits(w.type).vec_dot_type;
    return vdt != DType::F32 || x.nb[0] != sizeof(float);
}

}  // namespace

size_t mul_mat_work_size(const Tensor& node, int n_threads) {
    const Tensor& w = *node.src[0];
    const Tensor& x = *node.src[1];
    if (!needs_conversion(w, x)) return 0;
    return row_size(type_traits(w.type).vec_dot_type, x.ne[0]) * (size_t)x.n_rows();
}

void compute_mul_mat(const Tensor& node, const ComputeCtx& ctx) {
    const Tensor& w = *node.src[0];
    const Tensor& x = *node.src[1];
    const DType vdt = type_traits(w.type).vec_dot_type;
    const int64_t K = x.ne[0], N = w.ne[1], M = x.ne[1];
    const int64_t rows_x = x.n_rows();
    const bool convert = needs_conversion(w, x);
    const size_t xrow_bytes = row_size(vdt, K);

    if (convert) {
        const FromFloatFn from_float = ctx.k->from_float[(size_t)vdt];
        int64_t r0, r1;
        ctx.split(rows_x, &r0, &r1);
        for (int64_t r = r0; r < r1; ++r) {
            const int64_t i1 = r % x.ne[1], i2 = (r / x.ne[1]) % x.ne[2],
                          i3 = r / (x.ne[1] * x.ne[2]);
            const float* src = x.row<const float>(i1, i2, i3);
            from_float(src, ctx.wdata + (size_t)r * xrow_bytes, K);
        }
        ctx.barrier();
    }
    auto x_row = [&](int64_t m, int64_t b2, int64_t b3) -> const void* {
        if (convert) return ctx.wdata + (size_t)(m + x.ne[1] * (b2 + x.ne[2] * b3)) * xrow_bytes;
        return x.row<const float>(m, b2, b3);
    };

    const VecDotFn dot = ctx.k->vec_dot[(size_t)w.type];
    const int64_t r2 = x.ne[2] / w.ne[2], r3 = x.ne[3] / w.ne[3];
    // Threads take blocks of weight rows; within a block every activation row is visited while
    // the block's weights are still in cache.
    constexpr int64_t kRowBlock = 16;
    const int64_t n_blocks = (N + kRowBlock - 1) / kRowBlock;
    const int64_t batches = x.ne[2] * x.ne[3];
    int64_t u0, u1;
    ctx.split(n_blocks * batches, &u0, &u1);
    for (int64_t u = u0; u < u1; ++u) {
        const int64_t b = u / n_blocks, blk = u % n_blocks;
        const int64_t b2 = b % x.ne[2], b3 = b / x.ne[2];
        const int64_t n0 = blk * kRowBlock, n1 = std::min(N, n0 + kRowBlock);
        for (int64_t m = 0; m < M; ++m) {
            const void* xr = x_row(m, b2, b3);
            float* out = node.row<float>(m, b2, b3);
            for (int64_t n = n0; n < n1; ++n) out[n] = dot(K, w.row(n, b2 / r2, b3 / r3), xr);
        }
    }
}

}  // namespace lamina
