#include "model/kv_cache.h"

#include <algorithm>
#include <cstring>
#include <new>

namespace lamina {

KvCache::KvCache(int64_t n_layer, int64_t head_dim, int64_t n_head_kv, int64_t n_ctx, DType type)
    : head_dim_(head_dim), n_head_kv_(n_head_kv), n_ctx_(n_ctx), type_(type), n_layer_(n_layer) {
    constexpr size_t kPage = 4096;
    layer_bytes_ = row_size(type, head_dim) * (size_t)n_head_kv * (size_t)n_ctx;
    layer_stride_ = (layer_bytes_ + kPage - 1) / kPage * kPage;
    const size_t total = std::max<size_t>(2 * (size_t)n_layer * layer_stride_, kPage);
    block_ = huge_page_bytes(total);
    if (!block_) throw std::bad_alloc();
    std::memset(block_.get(), 0, total);
}

}  // namespace lamina
