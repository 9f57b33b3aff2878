// process_escapes: C-style escapes in command-line text.
#include "cli/escapes.h"

namespace lamina::cli {
namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

char simple_escape(char c) {
    switch (c) {
        case 'n':
            return '\n';
        case 'r':
            return '\r';
        case 't':
            return '\t';
        case 'a':
            return '\a';
        case 'b':
            return '\b';
        case 'f':
            return '\f';
        case 'v':
            return '\v';
        case '\'':
            return '\'';
        case '"':
            return '"';
        case '?':
            return '?';
        case '\\':
            return '\\';
        default:
            return 0;
    }
}

}  // namespace

std::string process_escapes(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\' || i + 1 == text.size()) {
            out += text[i];
            continue;
        }
        const char next = text[i + 1];
        if (const char c = simple_escape(next)) {
            out += c;
            ++i;
        } else if (next == 'x' && i + 2 < text.size() && hex_digit(text[i + 2]) >= 0) {
            int value = hex_digit(text[i + 2]);
            i += 2;
            if (i + 1 < text.size() && hex_digit(text[i + 1]) >= 0)
                value = value * 16 + hex_digit(text[++i]);
            out += (char)value;
        } else {
            out += '\\';  // not an escape: kept, and the next character is read as usual
        }
    }
    return out;
}

}  // namespace lamina::cli
