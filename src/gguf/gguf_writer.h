// GgufWriter: builds a GGUF v3 file (metadata + tensors) that llama.cpp and GgufReader read.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "gguf/gguf_value.h"

namespace lamina {

class GgufWriter {
  public:
    // Replaces an existing key of the same name, keeping its position.
    void set(const std::string& key, GgufValue value);
    void set_alignment(uint64_t alignment);  // also writes general.alignment when not 32

    // Produces the tensor's bytes (exactly row_size(type, ne0) * rows) into dst when the
    // file is written; lets `quantize` stream tensors without holding them all in memory.
    using Fill = std::function<Status(uint8_t* dst, size_t nbytes)>;
    void add_tensor(const std::string& name, DType type, const std::vector<int64_t>& ne, Fill fill);
    // Convenience: copies from memory that stays valid until write() returns.
    void add_tensor(const std::string& name, DType type, const std::vector<int64_t>& ne,
                    const void* data);

    // Writes PATH.tmp, then renames it to PATH; on any failure the temporary file is removed
    // and PATH is left untouched. `progress` (optional) is called after each tensor.
    Status write(const std::string& path,
                 const std::function<void(size_t done, size_t total, const std::string& name)>&
                     progress = nullptr) const;

  private:
    Status write_through_temp(
        const std::string& path,
        const std::function<void(size_t, size_t, const std::string&)>& progress) const;
    struct PendingTensor {
        std::string name;
        DType type;
        std::vector<int64_t> ne;
        Fill fill;
    };
    std::vector<GgufKv> kv_;
    std::vector<PendingTensor> tensors_;
    uint64_t alignment_ = 32;
};

}  // namespace lamina
