// Where a command's input text comes from: -p TEXT, -f FILE (- for standard input), or piped stdin.
#pragma once

#include <string>

#include "core/status.h"

namespace lamina::cli {

struct TextInput {
    std::string text;               // -p
    std::string file;               // -f; "-" is standard input
    bool use_stdin = false;         // --stdin
    bool stdin_when_piped = false;  // with neither -p nor -f, read stdin when it is not a terminal
};

// Whether more than one source was given (-p with -f, ...): a usage error, checked first.
bool text_sources_conflict(const TextInput& in);

// The text, or an error naming what could not be read or what conflicts (-p with -f).
Expected<std::string> read_text_input(const TextInput& in);

}  // namespace lamina::cli
