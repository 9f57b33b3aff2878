// Loading the model a command works on, with a progress bar and one-line errors.
#pragma once

#include <memory>
#include <string>

#include "gguf/file_image.h"
#include "model/llama_model.h"

namespace lamina::cli {

// Resolves `path` (-m, $LAMINA_MODEL or the bundled model; see model_path.h), updating it to the
// file chosen, and loads it with a progress bar on a terminal. On failure prints
// "lamina COMMAND: reason" on stderr (naming the format of a file that is not GGUF) and returns
// nullptr.
std::unique_ptr<LlamaModel> load_model_or_report(const std::string& command, std::string& path,
                                                 LoadMode mode, bool show_progress = true);

// "lamina COMMAND: message" on stderr; returns `exit_code` so a command can `return fail(...)`.
int fail(const std::string& command, const std::string& message, int exit_code = 1);

}  // namespace lamina::cli
