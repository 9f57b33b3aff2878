// Backend: the interface model code uses to run graphs, whatever the device.
#pragma once

#include "core/graph.h"
#include "core/status.h"

namespace lamina {

// A backend gives a graph's intermediate tensors memory and executes its nodes. Model code
// builds graphs and never calls kernels directly, so a GPU backend can stand beside the CPU one.
class Backend {
  public:
    virtual ~Backend() = default;
    virtual const char* name() const = 0;
    // Plans and binds memory for every intermediate and input tensor of g. After this the
    // caller fills the input tensors' data.
    virtual Status allocate(Graph& g) = 0;
    // Executes every node of an allocated graph.
    virtual Status compute(Graph& g) = 0;
};

}  // namespace lamina
