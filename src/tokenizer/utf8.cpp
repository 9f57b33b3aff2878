#include "tokenizer/utf8.h"

namespace lamina::utf8 {

uint32_t decode(std::string_view text, size_t& pos) {
    const auto b0 = (uint8_t)text[pos];
    const size_t n = seq_len(b0);
    if (n == 1) {
        ++pos;
        return b0 < 0x80 ? b0 : kReplacement;
    }
    if (pos + n > text.size()) {
        ++pos;
        return kReplacement;
    }
    uint32_t cp = b0 & (0x7F >> n);
    for (size_t i = 1; i < n; ++i) {
        const auto b = (uint8_t)text[pos + i];
        if ((b & 0xC0) != 0x80) {
            ++pos;
            return kReplacement;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    // Reject overlong forms, surrogates and values past U+10FFFF.
    static constexpr uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        ++pos;
        return kReplacement;
    }
    pos += n;
    return cp;
}

void append(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += (char)cp;
    } else if (cp < 0x800) {
        out += (char)(0xC0 | (cp >> 6));
        out += (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += (char)(0xE0 | (cp >> 12));
        out += (char)(0x80 | ((cp >> 6) & 0x3F));
        out += (char)(0x80 | (cp & 0x3F));
    } else {
        out += (char)(0xF0 | (cp >> 18));
        out += (char)(0x80 | ((cp >> 12) & 0x3F));
        out += (char)(0x80 | ((cp >> 6) & 0x3F));
        out += (char)(0x80 | (cp & 0x3F));
    }
}

std::string sanitize(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    size_t pos = 0;
    while (pos < text.size()) {
        const size_t start = pos;
        const uint32_t cp = decode(text, pos);
        if (cp == kReplacement && !(pos - start == 3 && text.substr(start, 3) == "\xEF\xBF\xBD")) {
            append(out, kReplacement);
        } else {
            out.append(text.data() + start, pos - start);
        }
    }
    return out;
}

size_t complete_prefix(std::string_view bytes) {
    size_t pos = 0;
    while (pos < bytes.size()) {
        const auto b0 = (uint8_t)bytes[pos];
        const size_t n = seq_len(b0);
        if (n == 1) {
            ++pos;
            continue;
        }
        // Count how many continuation bytes follow; a short sequence at the very end may still
        // be completed by a later token, anywhere else it is simply invalid.
        size_t have = 1;
        while (have < n && pos + have < bytes.size() && ((uint8_t)bytes[pos + have] & 0xC0) == 0x80)
            ++have;
        if (have < n && pos + have == bytes.size()) return pos;
        pos += have;
    }
    return pos;
}

}  // namespace lamina::utf8
