#include "backend/cpu/cpu_backend.h"

#include "backend/cpu/ops.h"
#include "backend/cpu/weight_layout.h"
#include "core/memory_plan.h"

#include <algorithm>

namespace lamina {

CpuBackend::CpuBackend(int n_threads, Isa isa) : pool_(n_threads), kernels_(&cpu_kernels(isa)) {}

CpuBackend::~CpuBackend() = default;

Status CpuBackend::store_weight(Tensor& w, const WeightUse& use) {
    if (!is_cpu_record(w.backend_record))
        return Status::error("weight " + w.name + " is stored in another backend's layout");
    if (w.backend_record) return Status::ok();  // stored by a CpuBackend before
    const bool matrix = w.ne[2] == 1 && w.ne[3] == 1 && w.is_contiguous();
    if (!use.writable || !use.matmul_only || !matrix || !w.data) return Status::ok();
    w.backend_record = arrange_cpu_weight(w.type, w.ne[0], w.ne[1], static_cast<uint8_t*>(w.data));
    return Status::ok();
}

bool CpuBackend::supports_op(const Tensor& node) const {
    for (const Tensor* s : node.src)
        if (s && !is_cpu_record(s->backend_record)) return false;
    return true;
}

void CpuBackend::ensure(AlignedBytes& buf, size_t& cap, size_t need) {
    if (need <= cap && buf) return;
    // Grow with headroom: decode graphs grow by one KV position per token.
    const size_t size = ((need + need / 4) + 4095) / 4096 * 4096;
    // In 2 MiB pages from 2 MiB up: a prompt's GEMMs sweep megabytes of packed activations
    // many times, and with 4 KiB pages the sweeps also walked page tables (F16 pp512 on Zen 5:
    // about +2%, median of six interleaved pairs).
    buf = huge_page_bytes(size);
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

namespace {

// Ops that compute nothing (their data aliases their source) and need no barrier.
bool is_view_op(Op op) {
    return op == Op::Reshape || op == Op::View || op == Op::Permute || op == Op::Transpose;
}

// The bytes a tensor spans.
struct Span {
    const uint8_t* begin;
    const uint8_t* end;
    bool overlaps(const Span& o) const { return begin < o.end && o.begin < end; }
};
Span span_of(const Tensor& t) {
    const uint8_t* p = static_cast<const uint8_t*>(t.data);
    return {p, p + t.n_bytes()};
}

// Whether b may run while other threads still compute a: neither writes what the other reads
// or writes. A node writes its own bytes (a Copy node's are its destination's) and reads its
// sources'.
bool independent(const Tensor& a, const Tensor& b) {
    auto reads = [](const Tensor& n, const Span& s) {
        for (const Tensor* src : n.src)
            if (src && span_of(*src).overlaps(s)) return true;
        return false;
    };
    const Span wa = span_of(a), wb = span_of(b);
    return !wa.overlaps(wb) && !reads(b, wa) && !reads(a, wb);
}

}  // namespace

void CpuBackend::plan_folds(const std::vector<Tensor*>& nodes) {
    // Nodes a neighbouring product computes: a SwiGlu or RmsNorm that the product after it
    // applies while packing (mul_mat_folds_swiglu, mul_mat_folds_rms_norm), an Add of the product
    // before it (mul_mat_folds_add). The node folded away is never written, so every reader must
    // be the product that computes it, or, for an RmsNorm, the products right after it that
    // reuse the first one's packing.
    folded_.assign(nodes.size(), Fold::None);
    std::vector<const Tensor*> cand;  // tensors whose readers are counted below
    for (size_t i = 0; i + 1 < nodes.size(); ++i) {
        const Tensor* s = nodes[i];
        const Tensor* next = nodes[i + 1];
        if (s->is_output) continue;
        const bool into_next = next->src[1] == s &&
                               ((s->op == Op::SwiGlu && mul_mat_folds_swiglu(*next, *kernels_)) ||
                                (s->op == Op::RmsNorm && mul_mat_folds_rms_norm(*next, *kernels_)));
        if (into_next || mul_mat_folds_add(*s, *next)) cand.push_back(s);
    }
    std::sort(cand.begin(), cand.end());
    std::vector<int> readers(cand.size(), 0);
    for (const Tensor* n : nodes)
        for (const Tensor* src : n->src) {
            const auto it = std::lower_bound(cand.begin(), cand.end(), src);
            if (src && it != cand.end() && *it == src) ++readers[(size_t)(it - cand.begin())];
        }
    // Whether the first n computed nodes after i are products of nodes[i] sharing one packing.
    auto products_share_packing = [&](size_t i, int n) {
        const Tensor* prev = nullptr;
        for (size_t j = i + 1; j < nodes.size() && n > 0; ++j) {
            const Tensor* p = nodes[j];
            if (is_view_op(p->op)) continue;
            if (p->op != Op::MulMat || p->src[1] != nodes[i] ||
                (prev && !mul_mat_reuses_packed_x(*prev, *p, *kernels_)))
                return false;
            prev = p;
            --n;
        }
        return n == 0;
    };
    n_folded_ = n_sums_folded_ = 0;
    for (size_t i = 0; i + 1 < nodes.size(); ++i) {
        const auto it = std::lower_bound(cand.begin(), cand.end(), nodes[i]);
        if (it == cand.end() || *it != nodes[i]) continue;
        const int n_readers = readers[(size_t)(it - cand.begin())];
        if (folded_[i] != Fold::None) continue;  // already folded into its predecessor
        const Op op = nodes[i]->op;
        if (op == Op::RmsNorm ? products_share_packing(i, n_readers) : n_readers == 1) {
            if (op == Op::SwiGlu || op == Op::RmsNorm) {
                folded_[i] = Fold::IntoNext;
                ++n_folded_;
            } else {
                folded_[i + 1] = Fold::IntoPrevious;
                ++n_sums_folded_;
            }
        }
    }
}

void CpuBackend::plan_barriers(const std::vector<Tensor*>& nodes) {
    // The nodes computed since the last barrier: a node may join them (no barrier before it)
    // when it is independent of each, touches no work memory the others share, and takes part
    // in no fold (a fold reads or writes a neighbour's tensors). A generated token's Q, K and V
    // products, RoPE of Q and K, the two cache writes, and the gate and up products then each
    // run without barriers between them, and a thread that finishes its share of one goes on to
    // the next instead of waiting for the slower thread.
    barrier_after_.assign(nodes.size(), 1);
    n_barriers_skipped_ = 0;
    std::vector<const Tensor*> group;
    const Tensor* prev = nullptr;  // the last node computed
    size_t prev_i = 0;
    bool prev_folds = false;
    for (size_t i = 0; i < nodes.size(); ++i) {
        const Tensor* n = nodes[i];
        if (is_view_op(n->op) || folded_[i] != Fold::None) continue;
        const bool folds = (i > 0 && folded_[i - 1] == Fold::IntoNext) ||
                           (i + 1 < nodes.size() && folded_[i + 1] == Fold::IntoPrevious);
        bool join = prev && !folds && !prev_folds;
        if (join && n->op == Op::MulMat)
            join =
                !mul_mat_writes_work(*n, *kernels_, mul_mat_reuses_packed_x(*prev, *n, *kernels_));
        else if (join)
            join = op_work_size(*n, pool_.size()) == 0;
        for (size_t k = 0; join && k < group.size(); ++k) join = independent(*group[k], *n);
        if (join) {
            barrier_after_[prev_i] = 0;
            ++n_barriers_skipped_;
        } else {
            group.clear();
        }
        group.push_back(n);
        prev = n;
        prev_i = i;
        prev_folds = folds;
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
    plan_barriers(nodes);
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
            if (is_view_op(n->op)) continue;         // nothing to compute, no barrier needed
            if (folded_[i] != Fold::None) continue;  // computed with a neighbouring product
            ctx.chunk_counters = &counters_[i * nth];
            const bool x_folded = i > 0 && folded_[i - 1] == Fold::IntoNext;
            ctx.x_swiglu = x_folded && nodes[i - 1]->op == Op::SwiGlu;
            ctx.x_rms_norm = x_folded && nodes[i - 1]->op == Op::RmsNorm;
            const bool sum = i + 1 < nodes.size() && folded_[i + 1] == Fold::IntoPrevious;
            ctx.sum = sum ? nodes[i + 1] : nullptr;
            ctx.x_packed = !x_folded && prev && mul_mat_reuses_packed_x(*prev, *n, *kernels_);
            compute_op(*n, ctx);
            if (barrier_after_[i]) ctx.barrier();
            prev = n;
        }
    });
    return Status::ok();
}

}  // namespace lamina
