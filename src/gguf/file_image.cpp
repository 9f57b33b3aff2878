#include "gguf/file_image.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

namespace lamina {
namespace {

constexpr size_t kHugePage = size_t(2) << 20;
constexpr size_t kReadPiece = size_t(32) << 20;  // progress granularity

// MemAvailable from /proc/meminfo in bytes; 0 when unknown.
size_t available_memory() {
    std::ifstream in("/proc/meminfo");
    std::string key;
    size_t kib = 0;
    std::string unit;
    while (in >> key >> kib >> unit)
        if (key == "MemAvailable:") return kib * 1024;
    return 0;
}

std::string errno_text() {
    return std::strerror(errno);
}

}  // namespace

LoadMode resolve_load_mode(LoadMode mode, size_t file_size) {
    if (mode != LoadMode::Auto) return mode;
    const size_t avail = available_memory();
    return avail != 0 && file_size <= avail / 2 ? LoadMode::Read : LoadMode::Map;
}

FileImage::~FileImage() {
    release();
}

FileImage::FileImage(FileImage&& o) noexcept {
    *this = std::move(o);
}

FileImage& FileImage::operator=(FileImage&& o) noexcept {
    if (this != &o) {
        release();
        region_ = std::exchange(o.region_, nullptr);
        region_size_ = std::exchange(o.region_size_, 0);
        data_ = std::exchange(o.data_, nullptr);
        size_ = std::exchange(o.size_, 0);
        mapped_ = std::exchange(o.mapped_, false);
    }
    return *this;
}

void FileImage::release() {
    if (region_) ::munmap(region_, region_size_);
    region_ = nullptr;
    region_size_ = 0;
    data_ = nullptr;
    size_ = 0;
}

Expected<FileImage> FileImage::map(int fd, size_t size, const std::string& path) {
    void* m = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) return Status::error(path + ": cannot map (" + errno_text() + ")");
    FileImage img;
    img.region_ = m;
    img.region_size_ = size;
    img.data_ = static_cast<const uint8_t*>(m);
    img.size_ = size;
    img.mapped_ = true;
    return img;
}

Expected<FileImage> FileImage::read(int fd, size_t size, const std::string& path,
                                    const Progress& progress) {
    // Over-allocate by one huge page so the data can start on a 2 MiB boundary: only aligned
    // 2 MiB ranges can become huge pages.
    const size_t rounded = (size + kHugePage - 1) / kHugePage * kHugePage;
    const size_t region_size = rounded + kHugePage;
    void* m =
        ::mmap(nullptr, region_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return Status::error(path + ": out of memory reading " + std::to_string(size >> 20) +
                             " MiB (" + errno_text() + "); try --mmap");
    FileImage img;
    img.region_ = m;
    img.region_size_ = region_size;
    auto* base = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(m) + kHugePage - 1) &
                                            ~(uintptr_t)(kHugePage - 1));
#ifdef MADV_HUGEPAGE
    ::madvise(base, rounded, MADV_HUGEPAGE);  // a hint: without it the copy still works
#endif
    size_t done = 0;
    while (done < size) {
        const size_t want = std::min(kReadPiece, size - done);
        const ssize_t got = ::pread(fd, base + done, want, (off_t)done);
        if (got < 0) {
            if (errno == EINTR) continue;
            return Status::error(path + ": read failed (" + errno_text() + ")");
        }
        if (got == 0) return Status::error(path + ": file shrank while being read");
        done += (size_t)got;
        if (progress) progress(done, size);
    }
    ::mprotect(base, rounded, PROT_READ);  // the weights are never written
    img.data_ = base;
    img.size_ = size;
    img.mapped_ = false;
    return img;
}

}  // namespace lamina
