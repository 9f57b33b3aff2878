// Jinja lexer: template data with trim_blocks/lstrip_blocks/`-`/`+` whitespace control, and the
// expression tokens inside tags (names, numbers, Python string literals, operators).
#include "chat/jinja_lexer.h"

#include <algorithm>
#include <cstring>

#include "chat/jinja_error.h"
#include "chat/jinja_unicode.h"

namespace lamina::chat::jinja {
namespace {

bool is_ws(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
bool is_name_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_name_char(char c) {
    return is_name_start(c) || is_digit(c);
}

// jinja2 joins the source's lines with "\n", so "\r\n" and "\r" become "\n", and (unless
// keep_trailing_newline) the one newline that ends the source disappears.
std::string normalize_newlines(std::string_view source, bool keep_trailing_newline) {
    std::string out;
    out.reserve(source.size());
    for (size_t i = 0; i < source.size(); ++i) {
        if (source[i] == '\r') {
            out += '\n';
            if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
        } else {
            out += source[i];
        }
    }
    if (!keep_trailing_newline && !out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

class Lexer {
  public:
    Lexer(std::string source, const LexerOptions& options)
        : src_(std::move(source)), options_(options) {
        line_starts_.push_back(0);
        for (size_t i = 0; i < src_.size(); ++i) {
            if (src_[i] == '\n') line_starts_.push_back(i + 1);
        }
    }

    std::vector<Token> run() {
        size_t pos = 0;
        bool strip_leading = false;  // the previous tag ended with `-`
        while (pos <= src_.size()) {
            size_t tag = find_tag(pos);
            size_t data_begin = pos;
            size_t data_end = tag == std::string::npos ? src_.size() : tag;
            if (strip_leading) {
                while (data_begin < data_end && is_ws(src_[data_begin])) ++data_begin;
            }
            if (tag == std::string::npos) {
                emit_text(data_begin, data_end);
                break;
            }
            char type = src_[tag + 1];
            char modifier = tag + 2 < src_.size() ? src_[tag + 2] : '\0';
            if (modifier == '-') {
                while (data_end > data_begin && is_ws(src_[data_end - 1])) --data_end;
            } else if (type != '{' && modifier != '+' && options_.lstrip_blocks) {
                data_end = lstrip_block_start(data_begin, data_end);
            }
            emit_text(data_begin, data_end);
            size_t inner = tag + 2 + ((modifier == '-' || modifier == '+') ? 1 : 0);
            if (type == '#') {
                pos = skip_comment(tag, inner, strip_leading);
            } else if (type == '%' && is_raw_start(inner)) {
                pos = lex_raw(tag, inner, strip_leading);
            } else {
                pos = lex_tag(tag, type, inner, strip_leading);
            }
        }
        tokens_.push_back(make(TokenKind::End, "", src_.size()));
        return std::move(tokens_);
    }

  private:
    Token make(TokenKind kind, std::string text, size_t offset) const {
        auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
        size_t line = static_cast<size_t>(it - line_starts_.begin());
        size_t column = offset - line_starts_[line - 1] + 1;
        return Token{kind, std::move(text), static_cast<int>(line), static_cast<int>(column)};
    }

    [[noreturn]] void fail(const std::string& message, size_t offset) const {
        Token t = make(TokenKind::End, "", offset);
        throw TemplateError("syntax error at line " + std::to_string(t.line) + ", column " +
                                std::to_string(t.column) + ": " + message,
                            t.line, t.column);
    }

    size_t find_tag(size_t pos) const {
        while (pos + 1 < src_.size()) {
            size_t brace = src_.find('{', pos);
            if (brace == std::string::npos || brace + 1 >= src_.size()) return std::string::npos;
            char next = src_[brace + 1];
            if (next == '{' || next == '%' || next == '#') return brace;
            pos = brace + 1;
        }
        return std::string::npos;
    }

    void emit_text(size_t begin, size_t end) {
        if (end > begin)
            tokens_.push_back(make(TokenKind::Text, src_.substr(begin, end - begin), begin));
    }

    // lstrip_blocks: spaces and tabs between a line's start and a block or comment tag go.
    size_t lstrip_block_start(size_t data_begin, size_t data_end) const {
        size_t line_begin = data_end;
        while (line_begin > data_begin &&
               (src_[line_begin - 1] == ' ' || src_[line_begin - 1] == '\t')) {
            --line_begin;
        }
        bool at_line_start = line_begin == 0 || src_[line_begin - 1] == '\n';
        return at_line_start ? line_begin : data_end;
    }

    // After a block or comment tag: `-` strips all following whitespace, trim_blocks one newline.
    size_t after_block_end(size_t end_marker, size_t after, bool& strip_leading) const {
        strip_leading = false;
        char before = end_marker > 0 ? src_[end_marker - 1] : '\0';
        if (before == '-') {
            strip_leading = true;
        } else if (before != '+' && options_.trim_blocks && after < src_.size() &&
                   src_[after] == '\n') {
            ++after;
        }
        return after;
    }

    size_t skip_comment(size_t tag, size_t inner, bool& strip_leading) {
        size_t close = src_.find("#}", inner);
        if (close == std::string::npos) fail("unterminated comment", tag);
        return after_block_end(close > inner ? close : inner, close + 2, strip_leading);
    }

    size_t skip_spaces(size_t p) const {
        while (p < src_.size() && is_ws(src_[p])) ++p;
        return p;
    }

    // Whether `{% raw %}` (with optional `-`) starts at `inner`.
    bool is_raw_start(size_t inner) const {
        size_t p = skip_spaces(inner);
        if (src_.compare(p, 3, "raw") != 0 || (p + 3 < src_.size() && is_name_char(src_[p + 3])))
            return false;
        p = skip_spaces(p + 3);
        if (p < src_.size() && (src_[p] == '-' || src_[p] == '+')) ++p;
        return src_.compare(p, 2, "%}") == 0;
    }

    size_t lex_raw(size_t tag, size_t inner, bool& strip_leading) {
        // jinja2 does not apply trim_blocks after `{% raw %}`: only `-%}` strips what follows.
        size_t close = src_.find("%}", inner);
        size_t body = close + 2;
        if (src_[close - 1] == '-') body = skip_spaces(body);
        strip_leading = false;
        size_t search = body;
        while (true) {
            size_t open = src_.find("{%", search);
            if (open == std::string::npos) fail("missing endraw for raw block", tag);
            size_t p = open + 2;
            char modifier = p < src_.size() ? src_[p] : '\0';
            if (p < src_.size() && (src_[p] == '-' || src_[p] == '+')) ++p;
            p = skip_spaces(p);
            if (src_.compare(p, 6, "endraw") == 0) {
                p = skip_spaces(p + 6);
                if (p < src_.size() && (src_[p] == '-' || src_[p] == '+')) ++p;
                if (src_.compare(p, 2, "%}") == 0) {
                    size_t body_end = open;
                    if (modifier == '-') {
                        while (body_end > body && is_ws(src_[body_end - 1])) --body_end;
                    } else if (modifier != '+' && options_.lstrip_blocks) {
                        body_end = lstrip_block_start(body, body_end);
                    }
                    emit_text(body, body_end);
                    return after_block_end(p, p + 2, strip_leading);
                }
            }
            search = open + 2;
        }
    }

    size_t lex_tag(size_t tag, char type, size_t p, bool& strip_leading) {
        bool block = type == '%';
        tokens_.push_back(make(block ? TokenKind::BlockBegin : TokenKind::VarBegin, "", tag));
        const char* close = block ? "%}" : "}}";
        int depth = 0;
        while (true) {
            p = skip_spaces(p);
            if (p >= src_.size())
                fail(std::string("unexpected end of template, expected '") + close + "'", tag);
            if (depth == 0) {
                size_t marker = p;
                if ((src_[p] == '-' || src_[p] == '+') && src_.compare(p + 1, 2, close) == 0)
                    ++marker;
                if (src_.compare(marker, 2, close) == 0) {
                    tokens_.push_back(make(block ? TokenKind::BlockEnd : TokenKind::VarEnd, "", p));
                    if (block) return after_block_end(marker, marker + 2, strip_leading);
                    strip_leading = marker > p && src_[p] == '-';
                    return marker + 2;
                }
            }
            char c = src_[p];
            if (is_name_start(c)) {
                size_t e = p;
                while (e < src_.size() && is_name_char(src_[e])) ++e;
                tokens_.push_back(make(TokenKind::Name, src_.substr(p, e - p), p));
                p = e;
            } else if (is_digit(c)) {
                p = lex_number(p);
            } else if (c == '\'' || c == '"') {
                p = lex_string(p);
            } else {
                p = lex_operator(p, depth);
            }
        }
    }

    size_t lex_number(size_t p) {
        size_t e = p;
        auto digits = [&] {
            while (e < src_.size() &&
                   (is_digit(src_[e]) ||
                    (src_[e] == '_' && e + 1 < src_.size() && is_digit(src_[e + 1]))))
                ++e;
        };
        digits();
        bool is_float = false;
        bool after_dot = !tokens_.empty() && tokens_.back().kind == TokenKind::Operator &&
                         tokens_.back().text == ".";
        if (!after_dot) {
            if (e + 1 < src_.size() && src_[e] == '.' && is_digit(src_[e + 1])) {
                is_float = true;
                ++e;
                digits();
            }
            if (e < src_.size() && (src_[e] == 'e' || src_[e] == 'E')) {
                size_t x = e + 1;
                if (x < src_.size() && (src_[x] == '+' || src_[x] == '-')) ++x;
                if (x < src_.size() && is_digit(src_[x])) {
                    is_float = true;
                    e = x;
                    digits();
                }
            }
        }
        std::string text;
        for (size_t i = p; i < e; ++i) {
            if (src_[i] != '_') text += src_[i];
        }
        tokens_.push_back(make(is_float ? TokenKind::Float : TokenKind::Integer, text, p));
        return e;
    }

    static int hex_value(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    // A Python string literal: the escapes of Python's unicode-escape codec, unknown ones kept.
    size_t lex_string(size_t p) {
        char quote = src_[p];
        std::string value;
        size_t e = p + 1;
        while (true) {
            if (e >= src_.size()) fail("unterminated string", p);
            char c = src_[e];
            if (c == quote) break;
            if (c != '\\' || e + 1 >= src_.size()) {
                value += c;
                ++e;
                continue;
            }
            char n = src_[e + 1];
            e += 2;
            switch (n) {
                case '\n':
                    break;
                case '\\':
                    value += '\\';
                    break;
                case '\'':
                    value += '\'';
                    break;
                case '"':
                    value += '"';
                    break;
                case 'a':
                    value += '\a';
                    break;
                case 'b':
                    value += '\b';
                    break;
                case 'f':
                    value += '\f';
                    break;
                case 'n':
                    value += '\n';
                    break;
                case 'r':
                    value += '\r';
                    break;
                case 't':
                    value += '\t';
                    break;
                case 'v':
                    value += '\v';
                    break;
                case 'x':
                case 'u':
                case 'U': {
                    size_t len = n == 'x' ? 2 : n == 'u' ? 4 : 8;
                    char32_t cp = 0;
                    for (size_t i = 0; i < len; ++i) {
                        int h = e + i < src_.size() ? hex_value(src_[e + i]) : -1;
                        if (h < 0)
                            fail("truncated \\" + std::string(1, n) + " escape in string", e - 2);
                        cp = cp * 16 + static_cast<char32_t>(h);
                    }
                    if (cp > 0x10ffff) fail("illegal Unicode character in string", e - 2);
                    e += len;
                    append_utf8(value, cp);
                    break;
                }
                default:
                    if (n >= '0' && n <= '7') {
                        char32_t cp = static_cast<char32_t>(n - '0');
                        for (int i = 0;
                             i < 2 && e < src_.size() && src_[e] >= '0' && src_[e] <= '7';
                             ++i, ++e) {
                            cp = cp * 8 + static_cast<char32_t>(src_[e] - '0');
                        }
                        append_utf8(value, cp);
                    } else {
                        value += '\\';
                        value += n;
                    }
            }
        }
        tokens_.push_back(make(TokenKind::String, value, p));
        return e + 1;
    }

    size_t lex_operator(size_t p, int& depth) {
        static const char* const two_char[] = {"//", "**", "==", "!=", "<=", ">="};
        for (const char* op : two_char) {
            if (src_.compare(p, 2, op) == 0) {
                tokens_.push_back(make(TokenKind::Operator, op, p));
                return p + 2;
            }
        }
        char c = src_[p];
        if (!std::strchr("+-*/%~<>=()[]{},.:|", c) || c == '\0') {
            std::string shown =
                (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f)
                    ? std::string(1, c)
                    : "\\x" + std::string(1, "0123456789abcdef"[(c >> 4) & 15]) +
                          "0123456789abcdef"[c & 15];
            fail("unexpected character '" + shown + "'", p);
        }
        if (c == '(' || c == '[' || c == '{') ++depth;
        if (c == ')' || c == ']' || c == '}') {
            if (depth == 0) fail(std::string("unexpected '") + c + "'", p);
            --depth;
        }
        tokens_.push_back(make(TokenKind::Operator, std::string(1, c), p));
        return p + 1;
    }

    std::string src_;
    LexerOptions options_;
    std::vector<size_t> line_starts_;
    std::vector<Token> tokens_;
};

}  // namespace

std::vector<Token> lex_template(std::string_view source, const LexerOptions& options) {
    return Lexer(normalize_newlines(source, options.keep_trailing_newline), options).run();
}

}  // namespace lamina::chat::jinja
