#include "core/memory_plan.h"

#include <algorithm>
#include <unordered_map>

namespace lamina {
namespace {

size_t align_up(size_t n, size_t a) {
    return (n + a - 1) / a * a;
}

// First-fit-smallest allocator over offsets; the arena grows at the end when nothing fits.
class OffsetAllocator {
  public:
    size_t allocate(size_t size) {
        size_t best = blocks_.size();
        for (size_t i = 0; i < blocks_.size(); ++i) {
            if (blocks_[i].size >= size &&
                (best == blocks_.size() || blocks_[i].size < blocks_[best].size))
                best = i;
        }
        if (best != blocks_.size()) {
            const size_t off = blocks_[best].offset;
            blocks_[best].offset += size;
            blocks_[best].size -= size;
            if (blocks_[best].size == 0) blocks_.erase(blocks_.begin() + (long)best);
            return off;
        }
        // Extend a free block touching the end rather than leaving it stranded.
        if (!blocks_.empty() && blocks_.back().offset + blocks_.back().size == end_) {
            const size_t off = blocks_.back().offset;
            blocks_.pop_back();
            end_ = off + size;
            return off;
        }
        const size_t off = end_;
        end_ += size;
        return off;
    }
    void release(size_t offset, size_t size) {
        auto it = std::lower_bound(blocks_.begin(), blocks_.end(), offset,
                                   [](const Block& b, size_t o) { return b.offset < o; });
        it = blocks_.insert(it, Block{offset, size});
        // Merge with the neighbours so that large tensors can reuse space later.
        if (it + 1 != blocks_.end() && it->offset + it->size == (it + 1)->offset) {
            it->size += (it + 1)->size;
            blocks_.erase(it + 1);
        }
        if (it != blocks_.begin() && (it - 1)->offset + (it - 1)->size == it->offset) {
            (it - 1)->size += it->size;
            blocks_.erase(it);
        }
    }
    size_t high_water() const { return end_; }

  private:
    struct Block {
        size_t offset, size;
    };
    std::vector<Block> blocks_;
    size_t end_ = 0;
};

const Tensor* storage_of(const Tensor* t) {
    return t->view_src ? t->view_src : t;
}

bool needs_memory(const Tensor* t) {
    return !t->is_view() && t->data == nullptr;
}

}  // namespace

MemoryPlan::MemoryPlan(const Graph& g) {
    const auto& nodes = g.nodes();
    // Last node index that reads each buffer (through any view of it).
    std::unordered_map<const Tensor*, size_t> last_use;
    for (size_t i = 0; i < nodes.size(); ++i) {
        const Tensor* n = nodes[i];
        last_use[storage_of(n)] = std::max(last_use[storage_of(n)], i);
        for (const Tensor* s : n->src)
            if (s) last_use[storage_of(s)] = i;
    }
    OffsetAllocator alloc;
    std::unordered_map<const Tensor*, size_t> offsets;
    for (const Tensor* in : g.inputs()) {
        if (!needs_memory(in)) continue;
        const size_t off = alloc.allocate(align_up(in->n_bytes(), kAlignment));
        offsets[in] = off;
        slots_.push_back({in, off});
    }
    // Buffers freed after node i, grouped by the node index.
    std::vector<std::vector<const Tensor*>> frees(nodes.size());
    for (size_t i = 0; i < nodes.size(); ++i) {
        const Tensor* n = nodes[i];
        if (needs_memory(n)) {
            const size_t off = alloc.allocate(align_up(n->n_bytes(), kAlignment));
            offsets[n] = off;
            slots_.push_back({n, off});
            // Returned one node after its last reader: the next node's output then never takes
            // the memory of this node's inputs, so a backend may compute a node together with
            // its successor (a product writing straight into the sum that follows it) while
            // other threads still read those inputs.
            if (!n->is_output)
                frees[std::min(nodes.size() - 1, std::max(last_use[n], i) + 1)].push_back(n);
        }
        for (const Tensor* dead : frees[i])
            alloc.release(offsets[dead], align_up(dead->n_bytes(), kAlignment));
    }
    arena_size_ = alloc.high_water();
}

void MemoryPlan::bind(const Graph& g, uint8_t* arena) const {
    for (const Slot& s : slots_) const_cast<Tensor*>(s.tensor)->data = arena + s.offset;
    for (Tensor* n : g.nodes()) {
        if (n->is_view()) n->data = static_cast<uint8_t*>(n->view_src->data) + n->view_offset;
    }
}

}  // namespace lamina
