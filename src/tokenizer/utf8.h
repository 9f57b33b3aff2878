// UTF-8 helpers for the tokenizers: lengths, decoding with U+FFFD for bad bytes, encoding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lamina::utf8 {

inline constexpr uint32_t kReplacement = 0xFFFD;

// Length of the sequence a lead byte announces (1 for continuation or invalid bytes, so that
// callers always make progress).
inline size_t seq_len(uint8_t lead) {
    if (lead < 0x80) return 1;
    if ((lead & 0xE0) == 0xC0) return 2;
    if ((lead & 0xF0) == 0xE0) return 3;
    if ((lead & 0xF8) == 0xF0) return 4;
    return 1;
}

// Decodes the code point at text[pos] and advances pos. An invalid or truncated sequence gives
// U+FFFD and advances by one byte.
uint32_t decode(std::string_view text, size_t& pos);

void append(std::string& out, uint32_t cp);

// Copy of `text` with every invalid byte replaced by U+FFFD (valid text is returned unchanged).
std::string sanitize(std::string_view text);

// Length of the longest prefix of `bytes` that ends on a complete character boundary, treating
// invalid bytes as complete (one byte each) so that they never hold the rest back.
size_t complete_prefix(std::string_view bytes);

}  // namespace lamina::utf8
