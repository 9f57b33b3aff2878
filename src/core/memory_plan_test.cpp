#include "core/memory_plan.h"

#include <gtest/gtest.h>

#include <vector>

namespace lamina {
namespace {

bool overlap(const Tensor* a, const Tensor* b) {
    const uint8_t* a0 = static_cast<const uint8_t*>(a->data);
    const uint8_t* b0 = static_cast<const uint8_t*>(b->data);
    return a0 < b0 + b->n_bytes() && b0 < a0 + a->n_bytes();
}

// A chain of element-wise nodes, each reading the one before and the graph's input, over a
// residual stream the way a transformer's blocks do.
struct Chain {
    Graph g;
    std::vector<float> x = std::vector<float>(64 * 8, 1.0f);
    std::vector<Tensor*> nodes;

    explicit Chain(int n) {
        const int64_t ne[2] = {64, 8};
        Tensor* in = g.external(DType::F32, ne, 2, x.data());
        Tensor* cur = in;
        for (int i = 0; i < n; ++i) {
            Tensor* s = g.scale(cur, 0.5f);
            cur = g.add(s, i % 2 ? in : cur);
            nodes.push_back(s);
            nodes.push_back(cur);
        }
        cur->is_output = true;
    }
};

// What lets a backend compute a node together with the one after it (a product writing its
// sum into the Add that follows): no node's output shares memory with the previous node's
// inputs, which other threads may still be reading.
TEST(MemoryPlan, NodeOutputNeverOverlapsThePreviousNodesInputs) {
    Chain c(12);
    MemoryPlan plan(c.g);
    std::vector<uint8_t> arena(plan.arena_size());
    plan.bind(c.g, arena.data());
    const auto& nodes = c.g.nodes();
    for (size_t i = 1; i < nodes.size(); ++i)
        for (const Tensor* src : nodes[i - 1]->src) {
            if (src) {
                EXPECT_FALSE(overlap(nodes[i], src)) << "node " << i;
            }
        }
    // Live buffers never overlap either: each node's output against its own inputs.
    for (const Tensor* n : nodes)
        for (const Tensor* src : n->src) {
            if (src) {
                EXPECT_FALSE(overlap(n, src));
            }
        }
}

// Memory is still reused: a chain of 24 nodes of 2 KiB each needs a handful of buffers, not 24.
TEST(MemoryPlan, ReusesMemoryAlongAChain) {
    Chain c(12);
    MemoryPlan plan(c.g);
    const size_t one = c.nodes[0]->n_bytes();
    EXPECT_LE(plan.arena_size(), 5 * one);
    EXPECT_GE(plan.arena_size(), 2 * one);
}

}  // namespace
}  // namespace lamina
