// read_text_input: the prompt from an argument, a file or standard input.
#include "cli/text_input.h"
#include "cli/text_file.h"

#include <unistd.h>

#include <iostream>
#include <iterator>
#include <sstream>

namespace lamina::cli {
namespace {

std::string read_stream(std::istream& in) {
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

bool text_sources_conflict(const TextInput& in) {
    return !in.text.empty() + !in.file.empty() + in.use_stdin > 1;
}

Expected<std::string> read_text_input(const TextInput& in) {
    if (text_sources_conflict(in)) return Status::error("give only one of -p, -f and --stdin");
    if (!in.text.empty()) return in.text;
    if (in.use_stdin || in.file == "-" ||
        (in.file.empty() && in.stdin_when_piped && !::isatty(STDIN_FILENO))) {
        std::string s = read_stream(std::cin);
        if (std::cin.bad()) return Status::error("cannot read standard input");
        return s;
    }
    if (in.file.empty()) return std::string();
    // A directory or FIFO is refused before reading (one would read as empty, the other block).
    std::string s;
    if (Status st = read_text_file(in.file, &s); !st) return st;
    return s;
}

}  // namespace lamina::cli
