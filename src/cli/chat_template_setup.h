// The chat template `lamina chat` and `lamina run --chat` use, checked before the chat starts.
#pragma once

#include <string>

#include "core/status.h"
#include "gguf/gguf_reader.h"

namespace lamina::cli {

struct ChosenTemplate {
    std::string source;
    std::string origin;  // where it came from, for messages
    std::string notice;  // a one-line notice for stderr when no template was given, else empty
};

// An explicit --chat-template-file or --chat-template NAME wins; else the GGUF's
// tokenizer.chat_template; else the built-in its special tokens point to, or chatml, with a
// notice. The chosen template is rendered once on `system` (when not empty) and a user
// message, so that a broken template, or one that refuses a system prompt, fails here with its
// error.
Expected<ChosenTemplate> choose_chat_template(const GgufReader& gguf, const std::string& name,
                                              const std::string& file, const std::string& system);

}  // namespace lamina::cli
