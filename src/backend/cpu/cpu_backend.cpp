#include "backend/cpu/cpu_backend.h"

#include "backend/cpu/ops.h"
#include "core/memory_plan.h"

#include <algorithm>

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

void CpuBackend::plan_folds(const std::vector<Tensor*>& nodes) {
    // Pairs of neighbours one product computes: a SwiGlu and the product reading it
    // (mul_mat_folds_swiglu), a product and the Add reading it (mul_mat_folds_add). The node
    // folded away must have no other reader: its buffer is never written.
    folded_.assign(nodes.size(), Fold::None);
    std::vector<const Tensor*> single;  // tensors whose readers are counted below
    for (size_t i = 0; i + 1 < nodes.size(); ++i) {
        const Tensor* s = nodes[i];
        const Tensor* next = nodes[i + 1];
        if (s->is_output) continue;
        if ((s->op == Op::SwiGlu && next->src[1] == s && mul_mat_folds_swiglu(*next, *kernels_)) ||
            mul_mat_folds_add(*s, *next))
            single.push_back(s);
    }
    std::sort(single.begin(), single.end());
    std::vector<int> readers(single.size(), 0);
    for (const Tensor* n : nodes)
        for (const Tensor* src : n->src) {
            const auto it = std::lower_bound(single.begin(), single.end(), src);
            if (src && it != single.end() && *it == src) ++readers[(size_t)(it - single.begin())];
        }
    n_folded_ = n_sums_folded_ = 0;
    for (size_t i = 0; i + 1 < nodes.size(); ++i) {
        const auto it = std::lower_bound(single.begin(), single.end(), nodes[i]);
        if (it == single.end() || *it != nodes[i] || readers[(size_t)(it - single.begin())] != 1)
            continue;
        if (folded_[i] != Fold::None) continue;  // already folded into its predecessor
        if (nodes[i]->op == Op::SwiGlu) {
            folded_[i] = Fold::IntoNext;
            ++n_folded_;
        } else {
            folded_[i + 1] = Fold::IntoPrevious;
            ++n_sums_folded_;
        }
    }
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
    plan_folds(nodes);
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
            if (folded_[i] != Fold::None) continue;  // computed with a neighbouring product
            ctx.chunk_counters = &counters_[i * nth];
            ctx.x_swiglu = i > 0 && folded_[i - 1] == Fold::IntoNext;
            const bool sum = i + 1 < nodes.size() && folded_[i + 1] == Fold::IntoPrevious;
            ctx.sum = sum ? nodes[i + 1] : nullptr;
            ctx.addend = !sum                        ? nullptr
                         : nodes[i + 1]->src[0] == n ? nodes[i + 1]->src[1]
                                                     : nodes[i + 1]->src[0];
            ctx.x_packed = !ctx.x_swiglu && prev && mul_mat_reuses_packed_x(*prev, *n, *kernels_);
            compute_op(*n, ctx);
            ctx.barrier();
            prev = n;
        }
    });
    return Status::ok();
}

}  // namespace lamina
