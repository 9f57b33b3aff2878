// Recognises model files that are not GGUF, so that loading one says what it is and what reads it.
#pragma once

#include <optional>
#include <string>

namespace lamina::cli {

// For a file that is not GGUF but a known model format (llama2.c .bin, pre-GGUF GGML .bin,
// safetensors, PyTorch .pth/.pt), one sentence naming the format and the `lamina convert` mode
// that reads it, or saying that none does yet. nullopt for GGUF files and unknown ones.
std::optional<std::string> explain_foreign_format(const std::string& path);

}  // namespace lamina::cli
