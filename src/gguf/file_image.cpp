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
        mapping_ = std::exchange(o.mapping_, nullptr);
        owned_ = std::move(o.owned_);
        data_ = std::exchange(o.data_, nullptr);
        size_ = std::exchange(o.size_, 0);
        mapped_ = std::exchange(o.mapped_, false);
    }
    return *this;
}

void FileImage::release() {
    if (mapping_) ::munmap(mapping_, size_);
    mapping_ = nullptr;
    owned_.reset();
    data_ = nullptr;
    size_ = 0;
}

Expected<FileImage> FileImage::map(int fd, size_t size, const std::string& path) {
    void* m = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) return Status::error(path + ": cannot map (" + errno_text() + ")");
    FileImage img;
    img.mapping_ = m;
    img.data_ = static_cast<const uint8_t*>(m);
    img.size_ = size;
    img.mapped_ = true;
    return img;
}

Expected<FileImage> FileImage::read(int fd, size_t size, const std::string& path,
                                    const Progress& progress) {
    FileImage img;
    img.owned_ = huge_page_bytes(size);
    if (!img.owned_)
        return Status::error(path + ": out of memory reading " + std::to_string(size >> 20) +
                             " MiB; try --mmap");
    uint8_t* base = img.owned_.get();
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
    img.data_ = base;
    img.size_ = size;
    img.mapped_ = false;
    return img;
}

}  // namespace lamina
