// Model loading for the commands: path resolution, progress and the errors a user reads.
#include "cli/model_loading.h"

#include <cstdio>

#include "cli/foreign_format.h"
#include "cli/model_path.h"
#include "cli/progress.h"

namespace lamina::cli {

int fail(const std::string& command, const std::string& message, int exit_code) {
    std::fprintf(stderr, "lamina %s: %s\n", command.c_str(), message.c_str());
    return exit_code;
}

std::unique_ptr<LlamaModel> load_model_or_report(const std::string& command, std::string& path,
                                                 LoadMode mode, bool show_progress) {
    auto resolved = resolve_model_path(path);
    if (!resolved) {
        fail(command, resolved.error());
        return nullptr;
    }
    path = *resolved;
    ProgressBar bar("loading " + path);
    auto loaded = LlamaModel::load(
        path,
        [&](size_t done, size_t total) {
            if (show_progress) bar.update(done, total);
        },
        mode);
    bar.finish();
    if (!loaded) {
        if (auto foreign = explain_foreign_format(path))
            fail(command, path + ": not a GGUF file but " + *foreign);
        else
            fail(command, loaded.error());
        return nullptr;
    }
    return std::move(*loaded);
}

}  // namespace lamina::cli
