// AlignedBytes: an owned byte buffer at a chosen alignment (std::aligned_alloc, freed on scope
// exit).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

namespace lamina {

struct FreeDeleter {
    void operator()(uint8_t* p) const { std::free(p); }
};
using AlignedBytes = std::unique_ptr<uint8_t, FreeDeleter>;

// At least n bytes (rounded up to a multiple of align, as aligned_alloc requires) starting at an
// align-byte boundary; null when memory is exhausted.
inline AlignedBytes aligned_bytes(size_t n, size_t align) {
    const size_t size = n == 0 ? align : (n + align - 1) / align * align;
    return AlignedBytes(static_cast<uint8_t*>(std::aligned_alloc(align, size)));
}

}  // namespace lamina
