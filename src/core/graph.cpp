#include "core/graph.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace lamina {
namespace {

// Graph construction errors are programming errors in model code, not user input errors:
// they stop the process with a message instead of propagating.
[[noreturn]] void graph_error(const char* op, const char* what) {
    std::fprintf(stderr, "lamina: internal error building %s: %s\n", op, what);
    std::abort();
}

void require(bool cond, const char* op, const char* what) {
    if (!cond) graph_error(op, what);
}

}  // namespace

Tensor* Graph::new_tensor(DType type, const int64_t* ne, int n_dims) {
    Tensor& t = tensors_.emplace_back();
    t.type = type;
    for (int d = 0; d < n_dims; ++d) t.ne[d] = ne[d];
    t.set_contiguous_strides();
    return &t;
}

Tensor* Graph::new_node(Op op, DType type, const int64_t* ne, Tensor* a, Tensor* b, Tensor* c) {
    Tensor* t = new_tensor(type, ne, kMaxDims);
    t->op = op;
    t->src[0] = a;
    t->src[1] = b;
    t->src[2] = c;
    nodes_.push_back(t);
    return t;
}

Tensor* Graph::new_view(Op op, Tensor* a, const int64_t* ne, const size_t* nb, size_t offset) {
    Tensor& t = tensors_.emplace_back();
    t.type = a->type;
    for (int d = 0; d < kMaxDims; ++d) {
        t.ne[d] = ne[d];
        t.nb[d] = nb[d];
    }
    t.op = op;
    t.src[0] = a;
    // Views of views alias the root, so the planner only tracks real buffers.
    t.view_src = a->view_src ? a->view_src : a;
    t.view_offset = offset + (a->view_src ? a->view_offset : 0);
    nodes_.push_back(&t);
    return &t;
}

Tensor* Graph::external(DType type, const int64_t* ne, int n_dims, void* data, std::string name) {
    Tensor* t = new_tensor(type, ne, n_dims);
    t->data = data;
    t->name = std::move(name);
    return t;
}

Tensor* Graph::input(DType type, std::initializer_list<int64_t> ne, std::string name) {
    int64_t dims[kMaxDims] = {1, 1, 1, 1};
    int n = 0;
    for (int64_t v : ne) dims[n++] = v;
    Tensor* t = new_tensor(type, dims, kMaxDims);
    t->name = std::move(name);
    inputs_.push_back(t);
    return t;
}

Tensor* Graph::import(const Tensor& n, Tensor* const srcs[3], Tensor* view_root) {
    require((n.view_src != nullptr) == (view_root != nullptr), "import", "view without its root");
    Tensor& t = tensors_.emplace_back(n);
    for (int i = 0; i < 3; ++i) t.src[i] = srcs[i];
    t.view_src = view_root;
    if (n.op == Op::None && !view_root) return &t;  // a leaf keeps its data
    t.data = nullptr;
    nodes_.push_back(&t);
    return &t;
}

Tensor* Graph::get_rows(Tensor* table, Tensor* ids) {
    require(ids->type == DType::I32, "get_rows", "ids must be I32");
    require(ids->ne[1] == 1 && ids->ne[2] == 1 && ids->ne[3] == 1, "get_rows", "ids must be 1-D");
    const int64_t ne[4] = {table->ne[0], ids->ne[0], 1, 1};
    return new_node(Op::GetRows, DType::F32, ne, table, ids);
}

Tensor* Graph::mul_mat(Tensor* w, Tensor* x) {
    require(w->ne[0] == x->ne[0], "mul_mat", "inner dimensions differ");
    require(x->type == DType::F32, "mul_mat", "activations must be F32");
    require(x->ne[2] % w->ne[2] == 0 && x->ne[3] % w->ne[3] == 0, "mul_mat",
            "batch dimensions do not broadcast");
    const int64_t ne[4] = {w->ne[1], x->ne[1], x->ne[2], x->ne[3]};
    return new_node(Op::MulMat, DType::F32, ne, w, x);
}

Tensor* Graph::add(Tensor* a, Tensor* b) {
    require(a->ne[0] == b->ne[0], "add", "row lengths differ");
    require(a->n_rows() % b->n_rows() == 0, "add", "rows do not broadcast");
    return new_node(Op::Add, DType::F32, a->ne, a, b);
}

Tensor* Graph::mul(Tensor* a, Tensor* b) {
    require(a->ne[0] == b->ne[0], "mul", "row lengths differ");
    require(a->n_rows() % b->n_rows() == 0, "mul", "rows do not broadcast");
    return new_node(Op::Mul, DType::F32, a->ne, a, b);
}

Tensor* Graph::scale(Tensor* a, float s) {
    Tensor* t = new_node(Op::Scale, DType::F32, a->ne, a);
    t->params.f[0] = s;
    return t;
}

Tensor* Graph::rms_norm(Tensor* a, float eps, Tensor* gain) {
    if (gain)
        require(gain->type == DType::F32 && gain->ne[0] == a->ne[0] && gain->n_rows() == 1,
                "rms_norm", "gain must be one F32 row of the input's length");
    Tensor* t = new_node(Op::RmsNorm, DType::F32, a->ne, a, gain);
    t->params.f[0] = eps;
    return t;
}

Tensor* Graph::rope(Tensor* a, Tensor* positions, int n_rot, float freq_base, bool neox) {
    require(positions->type == DType::I32 && positions->ne[0] == a->ne[2], "rope",
            "need one I32 position per ne2 index");
    require(n_rot % 2 == 0 && n_rot <= a->ne[0], "rope", "n_rot must be even and <= row length");
    Tensor* t = new_node(Op::Rope, DType::F32, a->ne, a, positions);
    t->params.i[0] = n_rot;
    t->params.i[1] = neox ? 1 : 0;
    t->params.f[0] = freq_base;
    return t;
}

Tensor* Graph::soft_max(Tensor* a, float scale, bool causal, int n_past) {
    Tensor* t = new_node(Op::SoftMax, DType::F32, a->ne, a);
    t->params.f[0] = scale;
    t->params.i[0] = causal ? 1 : 0;
    t->params.i[1] = n_past;
    return t;
}

Tensor* Graph::silu(Tensor* a) {
    return new_node(Op::Silu, DType::F32, a->ne, a);
}

Tensor* Graph::swiglu(Tensor* gate, Tensor* up) {
    require(same_shape(*gate, *up), "swiglu", "gate and up shapes differ");
    return new_node(Op::SwiGlu, DType::F32, gate->ne, gate, up);
}

Tensor* Graph::copy(Tensor* src, Tensor* dst) {
    require(src->n_elements() == dst->n_elements(), "copy", "element counts differ");
    require(dst->data != nullptr || dst->view_src != nullptr || dst->op != Op::None, "copy",
            "destination has no memory");
    Tensor* t = new_view(Op::Copy, dst, dst->ne, dst->nb, 0);
    t->src[0] = src;
    t->src[1] = dst;
    return t;
}

Tensor* Graph::cont(Tensor* a) {
    return new_node(Op::Cont, a->type, a->ne, a);
}

Tensor* Graph::reshape(Tensor* a, std::initializer_list<int64_t> shape) {
    require(a->is_contiguous(), "reshape", "source must be contiguous");
    int64_t ne[4] = {1, 1, 1, 1};
    int n = 0;
    for (int64_t v : shape) ne[n++] = v;
    require(ne[0] * ne[1] * ne[2] * ne[3] == a->n_elements(), "reshape", "element count differs");
    Tensor tmp;
    tmp.type = a->type;
    for (int d = 0; d < 4; ++d) tmp.ne[d] = ne[d];
    tmp.set_contiguous_strides();
    return new_view(Op::Reshape, a, tmp.ne, tmp.nb, 0);
}

Tensor* Graph::view(Tensor* a, std::initializer_list<int64_t> shape,
                    std::initializer_list<size_t> strides, size_t offset) {
    int64_t ne[4] = {1, 1, 1, 1};
    int n = 0;
    for (int64_t v : shape) ne[n++] = v;
    // Strides not given continue contiguously from the last one given.
    size_t nb[4] = {type_size(a->type), row_size(a->type, ne[0]), 0, 0};
    int k = 1;
    for (size_t v : strides) nb[k++] = v;
    for (int d = std::max(k, 2); d < 4; ++d) nb[d] = nb[d - 1] * (size_t)ne[d - 1];
    Tensor* t = new_view(Op::View, a, ne, nb, offset);
    require(offset + t->n_bytes() <= a->n_bytes(), "view", "view exceeds its source");
    return t;
}

Tensor* Graph::permute(Tensor* a, int ax0, int ax1, int ax2, int ax3) {
    const int axes[4] = {ax0, ax1, ax2, ax3};
    int64_t ne[4];
    size_t nb[4];
    int seen = 0;
    for (int i = 0; i < 4; ++i) {
        require(axes[i] >= 0 && axes[i] < 4 && !(seen & (1 << axes[i])), "permute", "bad axes");
        seen |= 1 << axes[i];
        ne[i] = a->ne[axes[i]];
        nb[i] = a->nb[axes[i]];
    }
    return new_view(Op::Permute, a, ne, nb, 0);
}

Tensor* Graph::transpose(Tensor* a) {
    const int64_t ne[4] = {a->ne[1], a->ne[0], a->ne[2], a->ne[3]};
    const size_t nb[4] = {a->nb[1], a->nb[0], a->nb[2], a->nb[3]};
    return new_view(Op::Transpose, a, ne, nb, 0);
}

Tensor* Graph::attention(Tensor* q, Tensor* k, Tensor* v, float scale, int n_past) {
    require(q->type == DType::F32, "attention", "q must be F32");
    require(q->ne[0] == k->ne[0] && k->ne[0] == v->ne[0], "attention", "head sizes differ");
    require(k->ne[1] == v->ne[1] && q->ne[1] % k->ne[1] == 0, "attention",
            "query heads must be a multiple of K/V heads");
    require(k->ne[2] == v->ne[2] && k->ne[2] >= n_past + q->ne[2], "attention",
            "K/V must cover every visible position");
    Tensor* t = new_node(Op::Attention, DType::F32, q->ne, q, k, v);
    t->params.f[0] = scale;
    t->params.i[0] = n_past;
    return t;
}

}  // namespace lamina
