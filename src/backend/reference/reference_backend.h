// ReferenceBackend: a deliberately plain backend, one thread, the type table's scalar kernels.
#pragma once

#include <cstddef>

#include "backend/backend.h"
#include "core/aligned_buffer.h"

namespace lamina {

// Computes each op the simplest way, from the reference conversions and dots of the type table
// (TypeTraits), on one thread: weights stay in GGUF's layout where the caller keeps them. It
// exists to prove the Backend interface with a second implementation (graphs split between it
// and the CPU backend by a Scheduler) and as a slow yardstick for the fast paths; nothing in it
// is tuned.
class ReferenceBackend final : public Backend {
  public:
    const char* name() const override { return "reference"; }
    // The ops the Llama graph uses, over F32 activations, F32/F16 caches, weights of every type
    // with reference kernels, in GGUF's layout; rows of elements one after another.
    bool supports_op(const Tensor& node) const override;
    Status allocate(Graph& g) override;
    Status compute(Graph& g) override;

  private:
    AlignedBytes arena_;
    size_t arena_size_ = 0;
};

// Computes one node with the reference kernels (supports_op(node) holds). Exposed for tests.
void reference_compute(const Tensor& node);

}  // namespace lamina
