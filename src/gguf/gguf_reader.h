// GgufReader: opens a GGUF v2/v3 file (mapped, or read into memory) and validates its header,
// metadata and tensor table.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "gguf/file_image.h"
#include "gguf/gguf_value.h"

namespace lamina {

struct GgufTensorInfo {
    std::string name;
    int n_dims = 0;
    int64_t ne[4] = {1, 1, 1, 1};  // ne[0] is the innermost (contiguous) dimension
    DType type = DType::F32;
    uint64_t offset = 0;  // relative to the start of the data section
    size_t nbytes = 0;
    int64_t n_elements() const { return ne[0] * ne[1] * ne[2] * ne[3]; }
};

class GgufReader {
  public:
    // Opens and fully validates the file. Every failure is a one-line message naming the problem
    // (and the file). No allocation is sized from unvalidated counts. The file is mapped unless
    // mode resolves to LoadMode::Read; progress(done, total) follows a read.
    static Expected<std::unique_ptr<GgufReader>> open(
        const std::string& path, LoadMode mode = LoadMode::Map,
        const FileImage::Progress& progress = nullptr);
    ~GgufReader();
    GgufReader(const GgufReader&) = delete;
    GgufReader& operator=(const GgufReader&) = delete;

    const std::string& path() const { return path_; }
    uint32_t version() const { return version_; }
    uint64_t alignment() const { return alignment_; }
    size_t file_size() const { return image_.size(); }
    // True when the bytes are the page cache's (mapped), false when read into private memory.
    bool mapped() const { return image_.mapped(); }
    size_t data_offset() const { return data_offset_; }

    const std::vector<GgufKv>& metadata() const { return kv_; }
    const GgufValue* find(std::string_view key) const;
    // Typed lookups: nullopt when the key is missing or of an incompatible type.
    // Integer getters accept every integer type whose value fits.
    std::optional<uint64_t> get_uint(std::string_view key) const;
    std::optional<int64_t> get_int(std::string_view key) const;
    std::optional<double> get_float(std::string_view key) const;  // FLOAT32/FLOAT64 (or integers)
    std::optional<bool> get_bool(std::string_view key) const;
    std::optional<std::string> get_string(std::string_view key) const;

    const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }
    const GgufTensorInfo* find_tensor(std::string_view name) const;
    // Pointer into the file's image; valid while the reader lives.
    const uint8_t* tensor_data(const GgufTensorInfo& t) const {
        return image_.data() + data_offset_ + t.offset;
    }

  private:
    GgufReader() = default;
    std::string path_;
    FileImage image_;
    uint32_t version_ = 0;
    uint64_t alignment_ = 32;
    size_t data_offset_ = 0;
    std::vector<GgufKv> kv_;
    std::vector<GgufTensorInfo> tensors_;
    friend class GgufParser;
};

}  // namespace lamina
