#include "backend/cpu/ops.h"

namespace lamina {

size_t op_work_size(const Tensor& node, int n_threads) {
    switch (node.op) {
        case Op::MulMat:
            return mul_mat_work_size(node, n_threads);
        case Op::Attention:
            return attention_work_size(node, n_threads);
        default:
            return 0;
    }
}

void compute_op(const Tensor& node, const ComputeCtx& ctx) {
    switch (node.op) {
        case Op::GetRows:
            compute_get_rows(node, ctx);
            break;
        case Op::MulMat:
            compute_mul_mat(node, ctx);
            break;
        case Op::Add:
            compute_add(node, ctx);
            break;
        case Op::Mul:
            compute_mul(node, ctx);
            break;
        case Op::Scale:
            compute_scale(node, ctx);
            break;
        case Op::RmsNorm:
            compute_rms_norm(node, ctx);
            break;
        case Op::Rope:
            compute_rope(node, ctx);
            break;
        case Op::SoftMax:
            compute_soft_max(node, ctx);
            break;
        case Op::Silu:
            compute_silu(node, ctx);
            break;
        case Op::SwiGlu:
            compute_swiglu(node, ctx);
            break;
        case Op::Copy:
            compute_copy(*node.src[0], node, ctx);
            break;
        case Op::Cont:
            compute_copy(*node.src[0], node, ctx);
            break;
        case Op::Attention:
            compute_attention(node, ctx);
            break;
        case Op::None:
        case Op::Reshape:
        case Op::View:
        case Op::Permute:
        case Op::Transpose:
            break;  // no computation: data aliases the source
    }
}

}  // namespace lamina
