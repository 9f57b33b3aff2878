// Scheduler: assigning nodes to backends, building each part's graph, and running the parts.
#include "backend/scheduler.h"

#include <cstring>

namespace lamina {
namespace {

bool is_leaf(const Tensor& t) {
    return t.op == Op::None && !t.view_src;
}

size_t align_up(size_t n) {
    return (n + 63) / 64 * 64;
}

}  // namespace

// One backend's run of nodes as a graph of its own.
struct Scheduler::Part {
    struct CopyOut {
        const Tensor* from;  // in this part's graph, kept alive to the part's end (is_output)
        size_t to;           // offset in the host memory
        size_t bytes;
    };
    size_t backend = 0;
    size_t n_nodes = 0;
    size_t n_copies_in = 0;
    Graph graph;
    std::unordered_map<const Tensor*, Tensor*> local;  // original tensor -> this part's
    std::vector<CopyOut> copies_out;
};

Scheduler::Scheduler(std::vector<Backend*> backends, std::function<size_t(int)> place)
    : backends_(std::move(backends)), place_(std::move(place)) {}

Scheduler::~Scheduler() = default;

Status Scheduler::store_weight(Tensor& w, const WeightUse& use) {
    const size_t b = place_(use.layer);
    if (b >= backends_.size())
        return Status::error("layer " + std::to_string(use.layer) + " placed on backend " +
                             std::to_string(b) + " of " + std::to_string(backends_.size()));
    if (Status s = backends_[b]->store_weight(w, use); !s) return s;
    owner_[w.data] = b;
    return Status::ok();
}

bool Scheduler::supports_op(const Tensor& node) const {
    for (const Backend* b : backends_)
        if (b->supports_op(node)) return true;
    return false;
}

std::vector<Scheduler::PartInfo> Scheduler::parts() const {
    std::vector<PartInfo> out;
    for (const auto& p : parts_) out.push_back({p->backend, p->n_nodes, p->n_copies_in});
    return out;
}

Status Scheduler::allocate(Graph& g) {
    const auto& nodes = g.nodes();
    std::vector<size_t> backend_of(nodes.size());
    size_t prev = place_(-1) < backends_.size() ? place_(-1) : 0;
    for (size_t i = 0; i < nodes.size(); ++i) {
        const Tensor& n = *nodes[i];
        size_t b = prev;
        bool pinned = false;  // by the weights it reads
        for (const Tensor* s : n.src) {
            if (!s || !is_leaf(*s)) continue;
            if (auto it = owner_.find(s->data); it != owner_.end()) b = it->second, pinned = true;
        }
        if (!backends_[b]->supports_op(n)) {
            if (pinned)
                return Status::error(std::string("backend ") + backends_[b]->name() +
                                     " stores the weights of a " + op_name(n.op) +
                                     " node it cannot compute");
            b = backends_.size();
            for (size_t k = 0; k < backends_.size() && b == backends_.size(); ++k)
                if (backends_[k]->supports_op(n)) b = k;
            if (b == backends_.size())
                return Status::error(std::string("no backend computes the ") + op_name(n.op) +
                                     " node");
        }
        backend_of[i] = prev = b;
    }
    return build_parts(g, backend_of);
}

Status Scheduler::build_parts(Graph& g, const std::vector<size_t>& backend_of) {
    parts_.clear();
    const auto& nodes = g.nodes();
    std::unordered_map<const Tensor*, size_t> part_of;  // computed tensor -> its part
    std::unordered_map<const Tensor*, size_t> host_at;  // tensor -> offset in host memory
    std::vector<std::pair<Tensor*, size_t>> patches;    // tensors pointed into host memory
    size_t host_size = 0;
    auto reserve = [&](const Tensor* t) {
        auto [it, fresh] = host_at.emplace(t, host_size);
        if (fresh) host_size += align_up(t->n_bytes());
        return it->second;
    };
    for (Tensor* in : g.inputs()) patches.push_back({in, reserve(in)});

    // This part's stand-in for an original tensor that its nodes read.
    std::function<Tensor*(Part&, const Tensor*)> resolve = [&](Part& p, const Tensor* t) {
        if (auto it = p.local.find(t); it != p.local.end()) return it->second;
        Tensor* const none[3] = {nullptr, nullptr, nullptr};
        Tensor* made;
        if (t->view_src) {
            // A view made in another part: the same view of this part's stand-in for its root,
            // computing nothing here (a Copy's write happened in its own part).
            Tensor* root = resolve(p, t->view_src);
            Tensor view = *t;
            view.op = Op::View;
            Tensor* const srcs[3] = {root, nullptr, nullptr};
            made = p.graph.import(view, srcs, root);
        } else if (is_leaf(*t)) {
            made = p.graph.import(*t, none, nullptr);
            if (auto it = host_at.find(t); it != host_at.end())
                patches.push_back({made, it->second});
        } else {
            // Computed in an earlier part: copied into host memory after that part, read here
            // as an external leaf.
            Part& from = *parts_[part_of.at(t)];
            Tensor* src = from.local.at(t);
            const size_t at = reserve(t);  // once per tensor, whichever parts read it
            if (!src->is_output) {
                src->is_output = true;
                from.copies_out.push_back({src, at, t->n_bytes()});
            }
            Tensor leaf = *t;
            leaf.op = Op::None;
            leaf.backend_record = nullptr;
            made = p.graph.import(leaf, none, nullptr);
            patches.push_back({made, at});
            ++p.n_copies_in;
        }
        p.local[t] = made;
        return made;
    };

    for (size_t i = 0; i < nodes.size(); ++i) {
        const Tensor* n = nodes[i];
        if (parts_.empty() || parts_.back()->backend != backend_of[i]) {
            parts_.push_back(std::make_unique<Part>());
            parts_.back()->backend = backend_of[i];
        }
        Part& p = *parts_.back();
        const size_t this_part = parts_.size() - 1;
        if (n->op == Op::Copy && n->view_src && !is_leaf(*n->view_src) &&
            part_of.count(n->view_src) && part_of[n->view_src] != this_part)
            return Status::error("a Copy writes into a tensor another backend computed");
        Tensor* srcs[3] = {nullptr, nullptr, nullptr};
        for (int k = 0; k < 3; ++k)
            if (n->src[k]) srcs[k] = resolve(p, n->src[k]);
        Tensor* root = n->view_src ? resolve(p, n->view_src) : nullptr;
        Tensor* mine = p.graph.import(*n, srcs, root);
        p.local[n] = mine;
        ++p.n_nodes;
        if (!n->view_src) part_of[n] = this_part;
        if (n->is_output && !n->view_src) {
            const size_t at = reserve(n);
            p.copies_out.push_back({mine, at, n->n_bytes()});
            patches.push_back({const_cast<Tensor*>(n), at});
        }
    }

    if (host_size > host_size_ || !host_) {
        host_ = aligned_bytes(host_size + 64, 64);
        host_size_ = host_ ? host_size : 0;
        if (!host_)
            return Status::error("out of memory for " + std::to_string(host_size) +
                                 " bytes of scheduler buffers");
    }
    for (auto [t, at] : patches) t->data = host_.get() + at;
    // The original graph's views of its inputs and outputs, for callers that read them.
    for (Tensor* n : nodes)
        if (n->view_src && n->view_src->data)
            n->data = static_cast<uint8_t*>(n->view_src->data) + n->view_offset;
    return Status::ok();
}

Status Scheduler::compute(Graph&) {
    for (const auto& p : parts_) {
        Backend& b = *backends_[p->backend];
        if (Status s = b.allocate(p->graph); !s) return s;
        if (Status s = b.compute(p->graph); !s) return s;
        for (const Part::CopyOut& c : p->copies_out)
            std::memcpy(host_.get() + c.to, c.from->data, c.bytes);
    }
    return Status::ok();
}

}  // namespace lamina
