// --mmap / --no-mmap / --mlock: how the commands that load a model get its weights into memory.
#pragma once

#include <vector>

#include "cli/options.h"
#include "gguf/file_image.h"

namespace lamina {
class LlamaModel;
}

namespace lamina::cli {

struct LoadFlags {
    bool mmap = false;
    bool no_mmap = false;
    bool mlock = false;

    // The option rows, for a command's table.
    std::vector<Option> options();
    // Given both, mapping wins: it works for any file size.
    LoadMode mode() const {
        return mmap ? LoadMode::Map : no_mmap ? LoadMode::Read : LoadMode::Auto;
    }
    // With --mlock, pins the model's bytes in RAM; a failure (RLIMIT_MEMLOCK) is a warning on
    // stderr, as in llama.cpp, since the run itself can go on.
    void lock(const LlamaModel& model, const std::string& command) const;
};

}  // namespace lamina::cli
