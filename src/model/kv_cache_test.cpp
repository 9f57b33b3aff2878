// KvCache's buffers: sized per layer, zeroed, disjoint, and aligned so that cache rows never
// straddle more cache lines than they must (attention reads them strided).
#include "model/kv_cache.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace lamina {
namespace {

TEST(KvCache, LayersAreAlignedZeroedAndDisjoint) {
    const int64_t n_layer = 3, head_dim = 64, n_head_kv = 4, n_ctx = 37;
    KvCache cache(n_layer, head_dim, n_head_kv, n_ctx);
    const size_t layer_bytes = (size_t)(head_dim * n_head_kv * n_ctx) * 2;  // F16
    EXPECT_EQ(cache.bytes(), 2 * (size_t)n_layer * layer_bytes);
    std::vector<uint8_t> zeros(layer_bytes, 0);
    for (int64_t l = 0; l < n_layer; ++l) {
        for (void* p : {cache.k(l), cache.v(l)}) {
            EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 4096, 0u) << "layer " << l;
            EXPECT_EQ(std::memcmp(p, zeros.data(), layer_bytes), 0) << "layer " << l;
        }
        // Writing a whole layer's K must not touch its V or the next layer.
        std::memset(cache.k(l), 0xAB, layer_bytes);
        EXPECT_EQ(std::memcmp(cache.v(l), zeros.data(), layer_bytes), 0);
        std::memset(cache.k(l), 0, layer_bytes);
    }
    std::memset(cache.v(n_layer - 1), 0xCD, layer_bytes);  // the last buffer is fully writable
}

}  // namespace
}  // namespace lamina
