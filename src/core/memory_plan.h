// MemoryPlan: assigns every intermediate tensor of a graph an offset in one reusable arena.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/graph.h"

namespace lamina {

// Buffers are given out in execution order and returned after the node following their last
// reader, so tensors whose lifetimes do not overlap share memory, but a node's output never
// shares it with the previous node's inputs. Inputs and outputs live for the whole graph.
class MemoryPlan {
  public:
    static constexpr size_t kAlignment = 64;

    explicit MemoryPlan(const Graph& g);
    size_t arena_size() const { return arena_size_; }
    // Points every planned tensor (and every view) into `arena`, which holds arena_size() bytes.
    void bind(const Graph& g, uint8_t* arena) const;

  private:
    struct Slot {
        const Tensor* tensor;
        size_t offset;
    };
    std::vector<Slot> slots_;
    size_t arena_size_ = 0;
};

}  // namespace lamina
