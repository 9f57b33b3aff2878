#include "runtime/kv_cache.h"

namespace lamina {

KvCache::KvCache(int64_t n_layer, int64_t head_dim, int64_t n_head_kv, int64_t n_ctx, DType type)
    : head_dim_(head_dim), n_head_kv_(n_head_kv), n_ctx_(n_ctx), type_(type) {
    const size_t layer_bytes = row_size(type, head_dim) * (size_t)n_head_kv * (size_t)n_ctx;
    k_.assign((size_t)n_layer, std::vector<uint8_t>(layer_bytes));
    v_.assign((size_t)n_layer, std::vector<uint8_t>(layer_bytes));
}

size_t KvCache::bytes() const {
    size_t total = 0;
    for (const auto& b : k_) total += b.size();
    for (const auto& b : v_) total += b.size();
    return total;
}

}  // namespace lamina
