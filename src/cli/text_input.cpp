// read_text_input: the prompt from an argument, a file or standard input.
#include "cli/text_input.h"

#include <unistd.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace lamina::cli {
namespace {

std::string read_stream(std::istream& in) {
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

Expected<std::string> read_text_input(const TextInput& in) {
    const int sources = !in.text.empty() + !in.file.empty() + in.use_stdin;
    if (sources > 1) return Status::error("give only one of -p, -f and --stdin");
    if (!in.text.empty()) return in.text;
    if (in.use_stdin || in.file == "-" ||
        (in.file.empty() && in.stdin_when_piped && !::isatty(STDIN_FILENO))) {
        std::string s = read_stream(std::cin);
        if (std::cin.bad()) return Status::error("cannot read standard input");
        return s;
    }
    if (in.file.empty()) return std::string();
    std::ifstream f(in.file, std::ios::binary);
    if (!f) return Status::error("cannot read " + in.file);
    std::string s = read_stream(f);
    if (f.bad()) return Status::error("cannot read " + in.file);
    return s;
}

}  // namespace lamina::cli
