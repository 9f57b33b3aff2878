// UTF-8 helpers for Jinja strings: decoding, code point offsets, printability and case mapping.
#include "chat/jinja_unicode.h"

namespace lamina::chat::jinja {

char32_t decode_utf8(std::string_view s, size_t& pos) {
    auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
    unsigned char b0 = byte(pos);
    size_t len = b0 < 0x80 ? 1 : (b0 >> 5) == 6 ? 2 : (b0 >> 4) == 14 ? 3 : (b0 >> 3) == 30 ? 4 : 0;
    if (len == 1) {
        ++pos;
        return b0;
    }
    if (len == 0 || pos + len > s.size()) {
        ++pos;
        return 0xFFFD;
    }
    char32_t cp = b0 & (0x7f >> len);
    for (size_t i = 1; i < len; ++i) {
        unsigned char b = byte(pos + i);
        if ((b & 0xc0) != 0x80) {
            ++pos;
            return 0xFFFD;
        }
        cp = (cp << 6) | (b & 0x3f);
    }
    pos += len;
    return cp;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

std::vector<size_t> code_point_offsets(std::string_view s) {
    std::vector<size_t> offsets;
    size_t pos = 0;
    while (pos < s.size()) {
        offsets.push_back(pos);
        decode_utf8(s, pos);
    }
    offsets.push_back(s.size());
    return offsets;
}

size_t code_point_count(std::string_view s) {
    size_t n = 0, pos = 0;
    while (pos < s.size()) {
        decode_utf8(s, pos);
        ++n;
    }
    return n;
}

bool is_printable(char32_t cp) {
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0xa0) || cp == 0xad) return false;
    if (cp >= 0x2000 && cp <= 0x200f) return false;
    if (cp >= 0x2028 && cp <= 0x202f) return false;
    if (cp >= 0x205f && cp <= 0x206f) return false;
    if (cp == 0x1680 || cp == 0x3000 || cp == 0xfeff) return false;
    if (cp >= 0xfff9 && cp <= 0xfffb) return false;
    if (cp >= 0xd800 && cp <= 0xdfff) return false;
    return true;
}

bool is_space(char32_t cp) {
    return cp == ' ' || (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x1f) || cp == 0x85 ||
           cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 ||
           cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

namespace {

// Latin Extended-A (U+0100..U+017F) pairs an upper and a lower letter at even/odd code points,
// except in U+0139..U+0148 and U+0179..U+017E where the upper letter is odd.
bool latin_ext_a_odd_upper(char32_t cp) {
    return (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17e);
}
bool latin_ext_a_paired(char32_t cp) {
    return cp >= 0x100 && cp <= 0x17e && cp != 0x130 && cp != 0x131 && cp != 0x138 && cp != 0x149;
}

}  // namespace

char32_t to_upper(char32_t cp) {
    if (cp >= 'a' && cp <= 'z') return cp - 32;
    if (cp >= 0xe0 && cp <= 0xfe && cp != 0xf7) return cp - 32;
    if (cp == 0xff) return 0x178;
    if (latin_ext_a_paired(cp)) {
        bool is_lower = latin_ext_a_odd_upper(cp) ? cp % 2 == 0 : cp % 2 == 1;
        return is_lower ? cp - 1 : cp;
    }
    if (cp == 0x131) return 'I';
    if (cp == 0x17f) return 'S';
    if (cp >= 0x3b1 && cp <= 0x3c9 && cp != 0x3c2) return cp - 32;
    if (cp == 0x3c2) return 0x3a3;
    if (cp >= 0x430 && cp <= 0x44f) return cp - 32;
    if (cp >= 0x450 && cp <= 0x45f) return cp - 80;
    return cp;
}

char32_t to_lower(char32_t cp) {
    if (cp >= 'A' && cp <= 'Z') return cp + 32;
    if (cp >= 0xc0 && cp <= 0xde && cp != 0xd7) return cp + 32;
    if (cp == 0x178) return 0xff;
    if (latin_ext_a_paired(cp)) {
        bool is_upper = latin_ext_a_odd_upper(cp) ? cp % 2 == 1 : cp % 2 == 0;
        return is_upper ? cp + 1 : cp;
    }
    if (cp == 0x130) return 'i';
    if (cp >= 0x391 && cp <= 0x3a9 && cp != 0x3a2) return cp + 32;
    if (cp >= 0x410 && cp <= 0x42f) return cp + 32;
    if (cp >= 0x400 && cp <= 0x40f) return cp + 80;
    return cp;
}

bool is_alpha(char32_t cp) {
    return to_upper(cp) != cp || to_lower(cp) != cp || cp == 0xdf || (cp > 0x24f && cp >= 0x4e00);
}

namespace {

template <typename Map>
std::string map_code_points(std::string_view s, Map map) {
    std::string out;
    out.reserve(s.size());
    size_t pos = 0;
    while (pos < s.size()) {
        size_t start = pos;
        char32_t cp = decode_utf8(s, pos);
        char32_t mapped = map(cp);
        if (mapped == cp) {
            out.append(s.substr(start, pos - start));
        } else {
            append_utf8(out, mapped);
        }
    }
    return out;
}

}  // namespace

// Python's str.upper() also expands ß to "SS".
std::string upper_utf8(std::string_view s) {
    std::string out = map_code_points(s, to_upper);
    for (size_t pos = out.find("\xc3\x9f"); pos != std::string::npos;
         pos = out.find("\xc3\x9f", pos + 2)) {
        out.replace(pos, 2, "SS");
    }
    return out;
}
std::string lower_utf8(std::string_view s) {
    return map_code_points(s, to_lower);
}

}  // namespace lamina::chat::jinja
