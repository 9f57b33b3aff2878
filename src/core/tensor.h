// Tensor: an n-dimensional (up to 4) typed array view, and a node of a compute graph.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "core/types.h"

namespace lamina {

constexpr int kMaxDims = 4;

// The operations a graph node can hold. View-like ops (Reshape, View, Permute, Transpose)
// compute nothing: their data aliases their source.
enum class Op : uint8_t {
    None,     // leaf: weights, inputs, KV cache
    GetRows,  // rows of src0 picked by the I32 ids in src1, converted to F32
    MulMat,   // out[n, m] = dot(src0 row n, src1 row m): src0 [K, N], src1 [K, M] F32 -> [N, M]
    Add,      // src0 + src1, src1 broadcast over rows
    Mul,      // src0 * src1, src1 broadcast over rows
    Scale,    // src0 * f0
    RmsNorm,  // each row / sqrt(mean(row^2) + eps), eps = f0, times the row src1 if given
    Rope,     // rotary embedding; src1 = I32 positions (one per ne2 index)
    SoftMax,  // softmax over rows of src0 * scale (f0), causal mask with n_past (i0)
    Silu,     // x * sigmoid(x)
    SwiGlu,   // silu(src0) * src1
    Copy,     // writes src0 into src1 (converting type); the node is a view of src1
    Cont,     // contiguous copy of src0
    Reshape,
    View,
    Permute,
    Transpose,
    Attention,  // fused causal attention: q src0 [D, Hq, T], k src1 / v src2 [D, Hkv, n_kv]
};

const char* op_name(Op op);

// Op parameters are stored inline so that a graph node needs no allocation of its own.
struct OpParams {
    int32_t i[6] = {};
    float f[4] = {};
};

struct Tensor {
    DType type = DType::F32;
    int64_t ne[kMaxDims] = {1, 1, 1, 1};  // elements per dimension; ne[0] is innermost
    size_t nb[kMaxDims] = {0, 0, 0, 0};   // byte strides
    void* data = nullptr;

    Op op = Op::None;
    Tensor* src[3] = {nullptr, nullptr, nullptr};
    OpParams params;
    Tensor* view_src = nullptr;  // the tensor whose memory a view aliases
    size_t view_offset = 0;
    bool is_output = false;  // its buffer must survive the whole graph
    // For a weight leaf: the record of the backend that stores the weight (Backend::store_weight),
    // copied from what store_weight left on the weight's description. Opaque here: only that
    // backend reads it (the CPU backend: the layout it keeps the rows in). Null: the bytes at
    // data are GGUF's layout.
    const void* backend_record = nullptr;
    std::string name;

    int64_t n_elements() const { return ne[0] * ne[1] * ne[2] * ne[3]; }
    int64_t n_rows() const { return ne[1] * ne[2] * ne[3]; }
    size_t row_bytes() const { return row_size(type, ne[0]); }
    size_t n_bytes() const;  // bytes spanned, for contiguous and strided tensors alike
    bool is_contiguous() const;
    bool is_view() const { return view_src != nullptr; }

    // Pointer to the start of row (i1, i2, i3).
    template <typename T = uint8_t>
    T* row(int64_t i1, int64_t i2 = 0, int64_t i3 = 0) const {
        return reinterpret_cast<T*>(static_cast<uint8_t*>(data) + i1 * nb[1] + i2 * nb[2] +
                                    i3 * nb[3]);
    }
    void set_contiguous_strides();
};

bool same_shape(const Tensor& a, const Tensor& b);

}  // namespace lamina
