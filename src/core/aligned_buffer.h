// AlignedBytes: an owned byte buffer at a chosen alignment (std::aligned_alloc, freed on scope
// exit), and the 2 MiB-page form for large streamed data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

#if defined(__linux__)
#include <sys/mman.h>
#endif

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

// At least n bytes for large data read in long streams (weights, the KV cache, compute
// buffers): from 2 MiB up, aligned to 2 MiB and advised as transparent huge pages, so the TLB
// covers it with few entries (with 4 KiB pages, page walks rather than DRAM can set the pace of
// streaming); smaller buffers are page aligned. Null when memory is exhausted.
inline AlignedBytes huge_page_bytes(size_t n) {
    constexpr size_t kPage = 4096, kHugePage = size_t(2) << 20;
    const size_t align = n >= kHugePage ? kHugePage : kPage;
    AlignedBytes b = aligned_bytes(n, align);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (b && align == kHugePage)
        madvise(b.get(), (n + align - 1) / align * align, MADV_HUGEPAGE);  // a hint
#endif
    return b;
}

}  // namespace lamina
