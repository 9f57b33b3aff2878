#include "backend/cpu/cpu_backend.h"

#include "backend/cpu/ops.h"
#include "core/memory_plan.h"

namespace lamina {

CpuBackend::CpuBackend(int n_threads, Isa isa) : pool_(n_threads), kernels_(&cpu_kernels(isa)) {}

CpuBackend::~CpuBackend() = default;

void CpuBackend::ensure(AlignedBytes& buf, size_t& cap, size_t need) {
    if (need <= cap && buf) return;
    // Grow with headroom: decode graphs grow by one KV position per token.
    const size_t size = ((need + need / 4) + 4095) / 4096 * 4096;
    buf = aligned_bytes(size, 4096);
    cap = buf ? size : 0;
}

Status CpuBackend::allocate(Graph& g) {
    MemoryPlan plan(g);
    ensure(arena_, arena_size_, plan.arena_size() + 64);
    if (!arena_)
        return Status::error("out of memory for a compute buffer of " +
                             std::to_string(plan.arena_size()) + " bytes");
    plan.bind(g, arena_.get());
    return Status::ok();
}

Status CpuBackend::compute(Graph& g) {
    size_t work = 0;
    for (const Tensor* n : g.nodes()) work = std::max(work, op_work_size(*n, pool_.size()));
    ensure(work_, work_size_, work + 64);
    if (!work_)
        return Status::error("out of memory for a work buffer of " + std::to_string(work) +
                             " bytes");

    const auto& nodes = g.nodes();
    const size_t nth = (size_t)pool_.size();
    if (n_counters_ < nodes.size() * nth) {
        n_counters_ = nodes.size() * nth;
        counters_ = std::make_unique<ChunkCounter[]>(n_counters_);
    }
    for (size_t i = 0; i < nodes.size() * nth; ++i)
        counters_[i].next.store(0, std::memory_order_relaxed);
    // SwiGlu nodes whose only reader is the next node, a product that folds them in
    // (mul_mat_folds_swiglu): skipped here, applied by that product while it packs.
    folded_.assign(nodes.size(), 0);
    n_folded_ = 0;
    for (size_t i = 0; i + 1 < nodes.size(); ++i) {
        const Tensor* s = nodes[i];
        const Tensor* next = nodes[i + 1];
        if (s->op != Op::SwiGlu || s->is_output || next->src[1] != s ||
            !mul_mat_folds_swiglu(*next, *kernels_))
            continue;
        bool other_reader = false;
        for (const Tensor* n : nodes)
            for (const Tensor* src : n->src) other_reader |= src == s && n != next;
        if (other_reader) continue;
        folded_[i] = 1;
        ++n_folded_;
    }
    pool_.run([&](int ith) {
        ComputeCtx ctx;
        ctx.ith = ith;
        ctx.nth = pool_.size();
        ctx.wdata = work_.get();
        ctx.wsize = work_size_;
        ctx.pool = &pool_;
        ctx.k = kernels_;
        const Tensor* prev = nullptr;  // the last node computed
        for (size_t i = 0; i < nodes.size(); ++i) {
            const Tensor* n = nodes[i];
            switch (n->op) {
                case Op::Reshape:
                case Op::View:
                case Op::Permute:
                case Op::Transpose:
                    continue;  // nothing to compute, no barrier needed
                default:
                    break;
            }
            if (folded_[i]) continue;  // computed by the next node (a product) as it packs
            ctx.chunk_counters = &counters_[i * nth];
            ctx.x_swiglu = i > 0 && folded_[i - 1];
            ctx.x_packed = !ctx.x_swiglu && prev && mul_mat_reuses_packed_x(*prev, *n, *kernels_);
            compute_op(*n, ctx);
            ctx.barrier();
            prev = n;
        }
    });
    return Status::ok();
}

}  // namespace lamina
