// CPU op kernels: one compute function per graph op, each splitting its work across threads.
#pragma once

#include "backend/cpu/compute_ctx.h"
#include "core/tensor.h"

namespace lamina {

// Scratch bytes the node needs (shared by all threads of the node).
size_t op_work_size(const Tensor& node, int n_threads);
// Runs this thread's share of the node. All threads of the pool call it for every node.
void compute_op(const Tensor& node, const ComputeCtx& ctx);

void compute_get_rows(const Tensor& node, const ComputeCtx& ctx);
void compute_mul_mat(const Tensor& node, const ComputeCtx& ctx);
size_t mul_mat_work_size(const Tensor& node, int n_threads);
// Whether `next`, computed right after `prev`, finds its activations packed by prev in the work
// buffer (ComputeCtx::x_packed): the same activation tensor through the same GEMM path and
// packing, as the Q, K and V projections, and the gate and up projections, are.
bool mul_mat_reuses_packed_x(const Tensor& prev, const Tensor& next, const CpuKernels& k);
// Whether the product `node`, whose activations are a SwiGlu node, can compute silu(g) * u itself
// while packing them (the float GEMM on contiguous float rows): the backend then skips the SwiGlu
// node when this product is its only reader and runs the product with ComputeCtx::x_swiglu. The
// feed-forward's hidden activations (11.5 MiB for a 512-token TinyLlama prompt) are then never
// written out and read back.
bool mul_mat_folds_swiglu(const Tensor& node, const CpuKernels& k);
// The same for a product whose activations are an RmsNorm node (ComputeCtx::x_rms_norm): it
// normalizes each panel's rows as it packs them. The backend folds the norm only when every
// reader is a product of this kind in a run that shares one packing (mul_mat_reuses_packed_x):
// the Q, K and V projections, or gate and up.
bool mul_mat_folds_rms_norm(const Tensor& node, const CpuKernels& k);
// Whether the product `node` can write itself plus the other operand of `add`, an Add of node and
// a tensor of its shape, into add's buffer (ComputeCtx::sum): the backend then skips the Add when
// the product is its only reader. The float GEMM adds the other operand as it stores each output
// tile; the other paths add it to each chunk of outputs they finish. The residual adds after the
// attention output and the down projection then cost neither a pass over memory nor a barrier.
bool mul_mat_folds_add(const Tensor& node, const Tensor& add);
// Whether the product, computed with these kernels, writes work memory other threads read: its
// packed or converted activations. A matrix-vector product that reads its activations where
// they are, or (x_packed) finds them packed by the product before it, writes none, and may
// start while other threads still run an independent node before it.
bool mul_mat_writes_work(const Tensor& node, const CpuKernels& k, bool x_packed);
void compute_add(const Tensor& node, const ComputeCtx& ctx);
void compute_mul(const Tensor& node, const ComputeCtx& ctx);
void compute_scale(const Tensor& node, const ComputeCtx& ctx);
void compute_rms_norm(const Tensor& node, const ComputeCtx& ctx);
// One row of RmsNorm: out = x / sqrt(mean(x^2) + eps) (* gain when set).
void rms_norm_row(const float* x, const float* gain, int64_t n, float eps, float* out);
void compute_rope(const Tensor& node, const ComputeCtx& ctx);
void compute_soft_max(const Tensor& node, const ComputeCtx& ctx);
void compute_silu(const Tensor& node, const ComputeCtx& ctx);
void compute_swiglu(const Tensor& node, const ComputeCtx& ctx);
void compute_copy(const Tensor& src, const Tensor& dst, const ComputeCtx& ctx);
void compute_attention(const Tensor& node, const ComputeCtx& ctx);
size_t attention_work_size(const Tensor& node, int n_threads);

}  // namespace lamina
