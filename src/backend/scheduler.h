// Scheduler: one graph computed by several backends, split into parts with explicit copies.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "backend/backend.h"
#include "core/aligned_buffer.h"

namespace lamina {

// A Backend made of others. Weights go to the backend place(layer) names (layers on a GPU, the
// rest on the CPU, say); each node of a graph goes to the backend that stores the weights it
// reads, or else stays on the backend of the node before it; a node that backend cannot compute
// (supports_op) goes to the first that can. Runs of nodes on one backend become parts, each its
// own graph that its backend allocates and computes. A tensor computed in one part and read in
// another is copied, after its part, into host memory the scheduler owns, which the reading
// part sees as an external leaf: no backend reads another's memory. Graph inputs and outputs
// live in that host memory too.
class Scheduler final : public Backend {
  public:
    // backends: not owned, outliving the scheduler. place(layer) is an index into backends;
    // weights outside the blocks ask for layer -1.
    Scheduler(std::vector<Backend*> backends, std::function<size_t(int layer)> place);
    ~Scheduler() override;

    const char* name() const override { return "scheduler"; }
    Status store_weight(Tensor& w, const WeightUse& use) override;
    // Whether any of the backends computes the node.
    bool supports_op(const Tensor& node) const override;
    // Splits g into parts and gives its inputs and outputs host memory. Each part's own memory
    // is allocated when compute() reaches it (parts on one backend reuse its buffers).
    Status allocate(Graph& g) override;
    Status compute(Graph& g) override;

    // The parts of the last allocated graph, in order.
    struct PartInfo {
        size_t backend;      // index into the backends
        size_t n_nodes;      // nodes of the original graph it computes
        size_t n_copies_in;  // tensors copied in from other parts
    };
    std::vector<PartInfo> parts() const;

  private:
    struct Part;
    Status build_parts(Graph& g, const std::vector<size_t>& backend_of_node);

    std::vector<Backend*> backends_;
    std::function<size_t(int)> place_;
    std::unordered_map<const void*, size_t> owner_;  // stored weight data -> backend
    std::vector<std::unique_ptr<Part>> parts_;
    AlignedBytes host_;  // inputs, copies between parts, outputs
    size_t host_size_ = 0;
};

}  // namespace lamina
