// ReferenceBackend: which ops it takes, its memory, and running a graph node by node.
#include "backend/reference/reference_backend.h"
#include "quant/type_traits.h"

#include "core/memory_plan.h"

namespace lamina {
namespace {

bool is_float(DType t) {
    return t == DType::F32 || t == DType::F16;
}

// Rows of elements one after another (the reference kernels walk rows, any row strides).
bool dense_rows(const Tensor& t) {
    return t.nb[0] == type_traits(t.type).type_size;
}

bool f32_rows(const Tensor* t) {
    return t && t->type == DType::F32 && dense_rows(*t);
}

}  // namespace

bool ReferenceBackend::supports_op(const Tensor& node) const {
    const Tensor* a = node.src[0];
    const Tensor* b = node.src[1];
    // Weights another backend stored in its own layout are not readable here.
    for (const Tensor* s : node.src)
        if (s && s->backend_record) return false;
    switch (node.op) {
        case Op::None:
        case Op::Reshape:
        case Op::View:
        case Op::Permute:
        case Op::Transpose:
            return true;
        case Op::GetRows:
            return type_traits(a->type).to_float && dense_rows(*a) && b->type == DType::I32;
        case Op::MulMat: {
            const TypeTraits& tt = type_traits(a->type);
            const DType vdt = tt.vec_dot_type;
            return tt.vec_dot && dense_rows(*a) && f32_rows(b) &&
                   (vdt == DType::F32 || type_traits(vdt).from_float) &&
                   a->ne[0] % tt.block_size == 0;
        }
        case Op::Add:
        case Op::Mul:
            return f32_rows(a) && f32_rows(b) && f32_rows(&node);
        case Op::Scale:
        case Op::Silu:
        case Op::SoftMax:
        case Op::Rope:
            return f32_rows(a) && f32_rows(&node);
        case Op::RmsNorm:
            return f32_rows(a) && f32_rows(&node) && (!b || f32_rows(b));
        case Op::SwiGlu:
            return f32_rows(a) && f32_rows(b) && f32_rows(&node);
        case Op::Copy:
            return is_float(a->type) && is_float(b->type);
        case Op::Cont:
            return is_float(a->type);
        case Op::Attention:
            return f32_rows(a) && is_float(b->type) && is_float(node.src[2]->type) &&
                   dense_rows(*b) && dense_rows(*node.src[2]) && f32_rows(&node);
    }
    return false;
}

Status ReferenceBackend::allocate(Graph& g) {
    MemoryPlan plan(g);
    if (plan.arena_size() > arena_size_ || !arena_) {
        arena_ = aligned_bytes(plan.arena_size() + 64, MemoryPlan::kAlignment);
        arena_size_ = arena_ ? plan.arena_size() : 0;
        if (!arena_)
            return Status::error("out of memory for a compute buffer of " +
                                 std::to_string(plan.arena_size()) + " bytes");
    }
    plan.bind(g, arena_.get());
    return Status::ok();
}

Status ReferenceBackend::compute(Graph& g) {
    for (const Tensor* n : g.nodes()) {
        if (!supports_op(*n))
            return Status::error(std::string("the reference backend cannot compute ") +
                                 op_name(n->op) + " on " + type_name(n->src[0]->type));
        reference_compute(*n);
    }
    return Status::ok();
}

}  // namespace lamina
