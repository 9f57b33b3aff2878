// The option rows for loading a model, and --mlock.
#include "cli/load_flags.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "model/llama_model.h"

namespace lamina::cli {

std::vector<Option> LoadFlags::options() {
    return {
        {"--mmap", &mmap,
         "map the model file instead of reading it (default for files larger than half the "
         "available memory)"},
        {"--no-mmap", &no_mmap,
         "read the model into 2 MiB pages (default when it fits: faster generation)"},
        {"--mlock", &mlock, "keep the model's memory in RAM (never swapped or paged out)"},
    };
}

void LoadFlags::lock(const LlamaModel& model, const std::string& command) const {
    if (!mlock) return;
    const GgufReader& g = model.gguf();
    if (g.tensors().empty()) return;
    // The whole file image: the header lies before the first tensor's data.
    const GgufTensorInfo& first = g.tensors().front();
    const uint8_t* base = g.tensor_data(first) - g.data_offset() - first.offset;
    if (::mlock(base, g.file_size()) != 0)
        std::fprintf(stderr,
                     "lamina %s: warning: --mlock failed for %.0f MiB (%s); raise the limit with "
                     "`ulimit -l`\n",
                     command.c_str(), g.file_size() / 1048576.0, std::strerror(errno));
}

}  // namespace lamina::cli
