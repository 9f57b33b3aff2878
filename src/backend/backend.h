// Backend: the interface model code runs graphs through, whatever the device, and its contract.
#pragma once

#include "core/graph.h"
#include "core/status.h"

namespace lamina {

// How a weight handed to Backend::store_weight will be read, and whose bytes they are.
struct WeightUse {
    int layer = -1;            // the block it belongs to; -1: outside the blocks (embeddings...)
    bool matmul_only = false;  // read only as the weights (src[0]) of MulMat nodes
    // The bytes are the caller's private copy, which the backend may rewrite in place. False for
    // a mapped file's pages, shared and read-only: they must keep GGUF's layout.
    bool writable = false;
};

// The contract between graphs and the devices that compute them. It is the seam a Vulkan or
// CUDA backend plugs into; the CPU backend (backend/cpu) and the plain reference backend
// (backend/reference) implement it, and a Scheduler (backend/scheduler.h) splits one graph
// between several.
//
// What a backend implements:
//   store_weight  takes a weight before any graph reads it (see Weights below);
//   supports_op   says whether it computes a node (op, types, strides, the weights' storage);
//   allocate      gives memory to the graph's inputs and intermediates;
//   compute       runs every node, in the graph's order.
//
// Weights. Model code hands each weight to the backend once, as a Tensor describing its type,
// shape and bytes (data, GGUF's layout) with a WeightUse. The backend stores it where and how
// it likes: the CPU backend rearranges the rows of private matrices in place into its kernels'
// layouts; a GPU backend copies the bytes into device memory. It then leaves on the Tensor what
// every graph leaf for the weight must carry: `data` (the key the backend finds the weight by;
// unchanged by the CPU backend) and `backend_record` (opaque, read by this backend alone). Model
// code copies both onto the leaves it builds and never looks at the bytes again. Storing a
// weight that this kind of backend has stored already changes nothing, so a model may be run by
// several backend instances of one kind; a weight stored in one kind's layout cannot be read by
// another (supports_op says no, store_weight fails).
//
// Memory. The caller owns the weights' host memory and keeps it alive, unchanged, while any
// backend may use the weight (a backend that copies it to a device may stop reading it once
// stored). Leaves made with Graph::external (weights, the KV cache) are host memory the caller
// owns; a backend reads and writes them in place. allocate() puts the graph's inputs and
// intermediate tensors in memory the backend owns; their data stays valid until the next
// allocate() on the same backend. Tensors marked is_output keep their contents until then; any
// other intermediate may share memory with others.
//
// Threading. A backend runs one graph at a time: allocate and compute are not called
// concurrently on one instance. compute() returns when every node is done and its writes
// (outputs, KV cache) are visible to the caller; how many threads it uses inside is its own
// business. store_weight is called before the graphs that read the weight, from one thread.
//
// The order of calls per graph: allocate(g), the caller fills g's inputs, compute(g), the caller
// reads outputs. A backend may compute a node together with its neighbours (folding one into
// another) as long as every output, every write to an external leaf and every tensor another
// node reads holds the values the graph defines.
//
// What the Scheduler guarantees a backend it drives: every node it gives a backend passed that
// backend's supports_op; every MulMat or GetRows that reads a stored weight goes to the backend
// that stored it; a tensor one backend computes and another reads is copied explicitly into the
// reader's graph (as an external leaf), never read from the other's memory.
class Backend {
  public:
    virtual ~Backend() = default;
    virtual const char* name() const = 0;
    // Stores weight w as described above; on success w.data and w.backend_record say what leaves
    // for it carry. The default keeps GGUF's layout in place, and refuses a weight another kind
    // of backend has stored (a record it cannot read).
    virtual Status store_weight(Tensor& w, const WeightUse& use);
    // Whether this backend can compute the node (sources as the node has them).
    virtual bool supports_op(const Tensor& node) const = 0;
    // Plans and binds memory for every intermediate and input tensor of g. After this the
    // caller fills the input tensors' data.
    virtual Status allocate(Graph& g) = 0;
    // Executes every node of an allocated graph.
    virtual Status compute(Graph& g) = 0;
};

}  // namespace lamina
