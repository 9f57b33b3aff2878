// FileImage: a file's bytes in memory, read-only: mapped from the page cache, or read into
// private memory backed by 2 MiB pages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "core/aligned_buffer.h"
#include "core/status.h"

namespace lamina {

// How a model's bytes get into memory. Generation streams every weight once per token, so the
// page size matters: with 4 KiB pages of the page cache each stream pays a TLB miss per page
// (two-level walks in a VM), which cost 40% of F16 generation speed where measured; a private
// copy in 2 MiB pages streams at the machine's read bandwidth. Mapping needs no second copy and
// works for files larger than memory.
enum class LoadMode {
    Auto,  // read when the file fits easily in available memory, otherwise map
    Map,
    Read,
};

// Auto's choice for a file of this size: read when it needs at most half the available memory.
LoadMode resolve_load_mode(LoadMode mode, size_t file_size);

class FileImage {
  public:
    using Progress = std::function<void(size_t done, size_t total)>;

    FileImage() = default;
    ~FileImage();
    FileImage(FileImage&& o) noexcept;
    FileImage& operator=(FileImage&& o) noexcept;
    FileImage(const FileImage&) = delete;
    FileImage& operator=(const FileImage&) = delete;

    // Maps the first size bytes of fd (shared, read-only). path only names the file in errors.
    static Expected<FileImage> map(int fd, size_t size, const std::string& path);
    // Reads the first size bytes of fd into fresh memory in 2 MiB pages (huge_page_bytes).
    // progress(done, size) follows the reading.
    static Expected<FileImage> read(int fd, size_t size, const std::string& path,
                                    const Progress& progress = nullptr);

    const uint8_t* data() const { return data_; }
    size_t size() const { return size_; }
    bool mapped() const { return mapped_; }

  private:
    void release();

    void* mapping_ = nullptr;  // what munmap takes back (mapped images)
    AlignedBytes owned_;       // the copy (read images)
    const uint8_t* data_ = nullptr;
    size_t size_ = 0;
    bool mapped_ = false;
};

}  // namespace lamina
