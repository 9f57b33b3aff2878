// LineReader: reads the user's lines, with libedit's editing and history on a terminal.
#include "cli/line_reader.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <editline/readline.h>

namespace lamina::cli {

LineReader::LineReader() : interactive_(::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO)) {
    if (interactive_) {
        using_history();
        stifle_history(500);
    }
}

LineReader::~LineReader() {
    if (interactive_) clear_history();
}

std::optional<std::string> LineReader::read(const std::string& prompt) {
    if (!interactive_) {
        std::string line;
        if (!std::getline(std::cin, line)) return std::nullopt;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
    }
    char* raw = readline(prompt.c_str());
    if (!raw) return std::nullopt;
    std::string line(raw);
    std::free(raw);
    return line;
}

void LineReader::remember(const std::string& line) {
    if (interactive_ && !line.empty()) add_history(line.c_str());
}

}  // namespace lamina::cli
