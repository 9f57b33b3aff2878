// --mmap / --no-mmap: how the commands that load a model get its weights into memory.
#pragma once

#include "cli/args.h"
#include "gguf/file_image.h"

namespace lamina::cli {

struct LoadFlags {
    bool mmap = false;
    bool no_mmap = false;

    void add_to(ArgParser& p) {
        p.add_flag("--mmap", &mmap,
                   "map the model file instead of reading it (default for files larger than half "
                   "the available memory)");
        p.add_flag("--no-mmap", &no_mmap,
                   "read the model into 2 MiB pages (default when it fits: faster generation)");
    }
    // Given both, mapping wins: it works for any file size.
    LoadMode mode() const {
        return mmap ? LoadMode::Map : no_mmap ? LoadMode::Read : LoadMode::Auto;
    }
};

}  // namespace lamina::cli
