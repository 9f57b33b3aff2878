// KvCache: the keys and values of every processed position, per layer, kept for reuse.
#pragma once

#include <cstdint>

#include "core/aligned_buffer.h"
#include "core/status.h"
#include "core/types.h"

namespace lamina {

// One K and one V buffer per layer, each [head_dim, n_head_kv, n_ctx] in `type` (F16 by default,
// as llama.cpp does). Position p of a layer is one contiguous slice, so appending a batch of
// tokens writes one contiguous range. All buffers live in one page-aligned block (huge pages
// where the kernel grants them): attention reads one head's rows a few hundred bytes apart, and
// rows split across cache lines or a TLB miss every few rows made a deep cache read at a third
// of the speed.
class KvCache {
  public:
    KvCache(int64_t n_layer, int64_t head_dim, int64_t n_head_kv, int64_t n_ctx,
            DType type = DType::F16);

    int64_t n_ctx() const { return n_ctx_; }
    int64_t n_past() const { return n_past_; }
    void set_n_past(int64_t n) { n_past_ = n; }
    DType type() const { return type_; }
    int64_t head_dim() const { return head_dim_; }
    int64_t n_head_kv() const { return n_head_kv_; }
    void* k(int64_t layer) { return block_.get() + (size_t)(2 * layer) * layer_stride_; }
    void* v(int64_t layer) { return block_.get() + (size_t)(2 * layer + 1) * layer_stride_; }
    size_t bytes() const { return 2 * (size_t)n_layer_ * layer_bytes_; }

  private:
    int64_t head_dim_, n_head_kv_, n_ctx_;
    DType type_;
    int64_t n_past_ = 0;
    int64_t n_layer_;
    size_t layer_bytes_, layer_stride_;
    AlignedBytes block_;
};

}  // namespace lamina
