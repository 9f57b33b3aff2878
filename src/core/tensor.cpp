#include "core/tensor.h"

namespace lamina {

const char* op_name(Op op) {
    switch (op) {
        case Op::None:
            return "none";
        case Op::GetRows:
            return "get_rows";
        case Op::MulMat:
            return "mul_mat";
        case Op::Add:
            return "add";
        case Op::Mul:
            return "mul";
        case Op::Scale:
            return "scale";
        case Op::RmsNorm:
            return "rms_norm";
        case Op::Rope:
            return "rope";
        case Op::SoftMax:
            return "soft_max";
        case Op::Silu:
            return "silu";
        case Op::SwiGlu:
            return "swiglu";
        case Op::Copy:
            return "copy";
        case Op::Cont:
            return "cont";
        case Op::Reshape:
            return "reshape";
        case Op::View:
            return "view";
        case Op::Permute:
            return "permute";
        case Op::Transpose:
            return "transpose";
        case Op::Attention:
            return "attention";
    }
    return "?";
}

size_t Tensor::n_bytes() const {
    if (n_elements() == 0) return 0;
    size_t bytes = row_bytes();
    for (int d = 1; d < kMaxDims; ++d) bytes += (size_t)(ne[d] - 1) * nb[d];
    return bytes;
}

bool Tensor::is_contiguous() const {
    if (nb[0] != type_size(type)) return false;
    size_t expect = row_bytes();
    for (int d = 1; d < kMaxDims; ++d) {
        if (ne[d] != 1 && nb[d] != expect) return false;
        expect *= (size_t)ne[d];
    }
    return true;
}

void Tensor::set_contiguous_strides() {
    nb[0] = type_size(type);
    nb[1] = row_size(type, ne[0]);
    for (int d = 2; d < kMaxDims; ++d) nb[d] = nb[d - 1] * (size_t)ne[d - 1];
}

bool same_shape(const Tensor& a, const Tensor& b) {
    for (int d = 0; d < kMaxDims; ++d)
        if (a.ne[d] != b.ne[d]) return false;
    return true;
}

}  // namespace lamina
