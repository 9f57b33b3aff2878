// UTF-8 helpers for Jinja strings: Python counts, indexes and cases strings by code point.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lamina::chat::jinja {

// Decodes the code point at `pos` and advances past it; an invalid byte decodes as U+FFFD and
// advances one byte, so every input makes progress.
char32_t decode_utf8(std::string_view s, size_t& pos);
void append_utf8(std::string& out, char32_t cp);

// Byte offsets of each code point's start, plus s.size() at the end.
std::vector<size_t> code_point_offsets(std::string_view s);
size_t code_point_count(std::string_view s);

// Whether Python's str.isprintable() holds for this one character (approximate: control,
// format and separator characters other than the ASCII space are not printable).
bool is_printable(char32_t cp);
// Python's str.isspace() for one character.
bool is_space(char32_t cp);

// Simple case mappings (ASCII, Latin-1, Greek, Cyrillic): enough for chat-template text.
char32_t to_upper(char32_t cp);
char32_t to_lower(char32_t cp);
bool is_alpha(char32_t cp);
std::string upper_utf8(std::string_view s);
std::string lower_utf8(std::string_view s);

}  // namespace lamina::chat::jinja
