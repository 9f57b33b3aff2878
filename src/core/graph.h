// Graph: builds a compute graph of Tensor nodes; backends plan its memory and execute it.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace lamina {

// Nodes are recorded in creation order, which is a valid execution order because every op
// takes only tensors created before it. Builder methods mirror the math they add and never
// compute anything; shapes are checked here so that kernels can trust them.
class Graph {
  public:
    Graph() = default;
    Graph(const Graph&) = delete;
    Graph& operator=(const Graph&) = delete;

    // A leaf whose memory lives elsewhere (weights, KV cache).
    Tensor* external(DType type, const int64_t* ne, int n_dims, void* data, std::string name = {});
    // A leaf whose memory the planner provides (inputs such as token ids and positions).
    Tensor* input(DType type, std::initializer_list<int64_t> ne, std::string name = {});

    Tensor* get_rows(Tensor* table, Tensor* ids);
    Tensor* mul_mat(Tensor* w, Tensor* x);
    Tensor* add(Tensor* a, Tensor* b);
    Tensor* mul(Tensor* a, Tensor* b);
    Tensor* scale(Tensor* a, float s);
    // Each row / sqrt(mean(row^2) + eps); with `gain` (one F32 row of a's length, a norm's
    // weight) also times gain, in the same pass.
    Tensor* rms_norm(Tensor* a, float eps, Tensor* gain = nullptr);
    // Rotates pairs of the first n_rot elements of each ne0-row. `neox` false: adjacent pairs
    // (x[2i], x[2i+1]), GGUF's Llama layout; true: halves (x[i], x[i + n_rot/2]).
    Tensor* rope(Tensor* a, Tensor* positions, int n_rot, float freq_base, bool neox = false);
    // Softmax of each row of a*scale; with causal, position j of row i (ne1 index) is masked
    // when j > n_past + i.
    Tensor* soft_max(Tensor* a, float scale, bool causal, int n_past);
    Tensor* silu(Tensor* a);
    Tensor* swiglu(Tensor* gate, Tensor* up);
    // Writes src into dst (same element count, types may differ); returns a view of dst that
    // later nodes use so the write is ordered before them.
    Tensor* copy(Tensor* src, Tensor* dst);
    Tensor* cont(Tensor* a);
    Tensor* reshape(Tensor* a, std::initializer_list<int64_t> ne);
    Tensor* view(Tensor* a, std::initializer_list<int64_t> ne, std::initializer_list<size_t> nb,
                 size_t offset);
    // Output dimension i takes the input dimension axes[i].
    Tensor* permute(Tensor* a, int ax0, int ax1, int ax2, int ax3);
    Tensor* transpose(Tensor* a);
    // Causal multi-head attention with grouped K/V heads. q [D, Hq, T] F32; k, v [D, Hkv, n_kv]
    // (F16 or F32, e.g. views of the KV cache). Query t sits at position n_past + t and sees
    // keys 0 .. n_past + t. Result [D, Hq, T] F32.
    Tensor* attention(Tensor* q, Tensor* k, Tensor* v, float scale, int n_past);

    // A copy of tensor n of another graph (op, type, shape, strides, parameters, name, is_output,
    // backend_record; a leaf's data too), reading srcs, this graph's stand-ins for n's sources;
    // a view aliases view_root, the stand-in for n.view_src, at n's offset. For a scheduler that
    // splits a graph into parts, one per backend.
    Tensor* import(const Tensor& n, Tensor* const srcs[3], Tensor* view_root);

    const std::vector<Tensor*>& nodes() const { return nodes_; }
    const std::vector<Tensor*>& inputs() const { return inputs_; }
    size_t n_tensors() const { return tensors_.size(); }

  private:
    Tensor* new_tensor(DType type, const int64_t* ne, int n_dims);
    Tensor* new_node(Op op, DType type, const int64_t* ne, Tensor* a, Tensor* b = nullptr,
                     Tensor* c = nullptr);
    Tensor* new_view(Op op, Tensor* a, const int64_t* ne, const size_t* nb, size_t offset);

    std::deque<Tensor> tensors_;  // deque: pointers stay valid as the graph grows
    std::vector<Tensor*> nodes_;
    std::vector<Tensor*> inputs_;
};

}  // namespace lamina
