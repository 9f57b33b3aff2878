// Python string formatting for templates: the `%` operator, str.format() and strftime.
#include "chat/jinja_format.h"

#include <cmath>
#include <cstdio>
#include <cstring>

#include "chat/jinja_error.h"
#include "chat/jinja_operators.h"
#include "chat/jinja_unicode.h"

namespace lamina::chat::jinja {
namespace {

struct Spec {
    char fill = ' ';
    char align = '\0';  // < > ^ =, or none
    char sign = '-';
    bool zero = false;
    bool alternate = false;
    int width = 0;
    int precision = -1;
    char type = '\0';
};

std::string pad(std::string body, const Spec& spec, char default_align) {
    size_t len = code_point_count(body);
    if (spec.width <= 0 || len >= static_cast<size_t>(spec.width)) return body;
    size_t fill = static_cast<size_t>(spec.width) - len;
    char align = spec.align ? spec.align : default_align;
    if (align == '<') return body + std::string(fill, spec.fill);
    if (align == '^')
        return std::string(fill / 2, spec.fill) + body + std::string(fill - fill / 2, spec.fill);
    if (align == '=' && !body.empty() && (body[0] == '-' || body[0] == '+' || body[0] == ' ')) {
        return body.substr(0, 1) + std::string(fill, spec.fill) + body.substr(1);
    }
    return std::string(fill, spec.fill) + body;
}

std::string format_number(const Value& v, Spec spec) {
    char type = spec.type;
    std::string digits;
    bool negative = false;
    if (type == 'd' || type == 'x' || type == 'X' || type == 'o' || type == 'b' || type == 'c') {
        if (!v.is_number()) throw TemplateError("unsupported format type for " + v.type_name());
        if (v.is_float() && !(std::fabs(v.as_double()) < 9.2e18)) {
            throw TemplateError("cannot convert float " + v.repr() + " to integer");
        }
        int64_t i = v.is_float() ? static_cast<int64_t>(v.as_double()) : v.as_int();
        if (type == 'c') {
            std::string s;
            append_utf8(s, static_cast<char32_t>(i));
            return pad(s, spec, '<');
        }
        negative = i < 0;
        uint64_t u = negative ? 0 - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
        int base = type == 'd' ? 10 : type == 'o' ? 8 : type == 'b' ? 2 : 16;
        const char* alphabet = type == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
        do {
            digits.insert(digits.begin(), alphabet[u % static_cast<uint64_t>(base)]);
            u /= static_cast<uint64_t>(base);
        } while (u);
        if (spec.alternate && base != 10)
            digits = std::string("0") + (type == 'o' ? 'o' : type == 'b' ? 'b' : type) + digits;
    } else {
        if (!v.is_number()) throw TemplateError("unsupported format type for " + v.type_name());
        double d = v.as_double();
        negative = std::signbit(d) && !std::isnan(d);
        d = std::fabs(d);
        int precision = spec.precision < 0 ? 6 : spec.precision;
        if (std::isinf(d) || std::isnan(d)) {
            digits = std::isnan(d) ? "nan" : "inf";
        } else if (type == '%') {
            char buf[512];
            std::snprintf(buf, sizeof buf, "%.*f%%", precision, d * 100);
            digits = buf;
        } else {
            char fmt[8] = {'%', '.', '*', type ? type : 'g', 0};
            if (!type && spec.precision < 0) {
                digits = python_float_repr(d);
            } else {
                char buf[512];
                std::snprintf(buf, sizeof buf, fmt, precision, d);
                digits = buf;
            }
        }
    }
    std::string sign = negative ? "-" : spec.sign == '+' ? "+" : spec.sign == ' ' ? " " : "";
    if (spec.zero && !spec.align) {
        spec.fill = '0';
        spec.align = '=';
    }
    return pad(sign + digits, spec, '>');
}

// Parses a format spec: [[fill]align][sign][#][0][width][,][.precision][type].
Spec parse_spec(std::string_view s) {
    Spec spec;
    size_t i = 0;
    auto is_align = [](char c) { return c == '<' || c == '>' || c == '^' || c == '='; };
    if (s.size() >= 2 && is_align(s[1])) {
        spec.fill = s[0];
        spec.align = s[1];
        i = 2;
    } else if (!s.empty() && is_align(s[0])) {
        spec.align = s[0];
        i = 1;
    }
    if (i < s.size() && (s[i] == '+' || s[i] == '-' || s[i] == ' ')) spec.sign = s[i++];
    if (i < s.size() && s[i] == '#') {
        spec.alternate = true;
        ++i;
    }
    if (i < s.size() && s[i] == '0') {
        spec.zero = true;
        ++i;
    }
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && spec.width < 100000)
        spec.width = spec.width * 10 + (s[i++] - '0');
    if (i < s.size() && s[i] == ',') ++i;
    if (i < s.size() && s[i] == '.') {
        spec.precision = 0;
        ++i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9' && spec.precision < 1000)
            spec.precision = spec.precision * 10 + (s[i++] - '0');
    }
    if (i < s.size()) spec.type = s[i++];
    if (i != s.size()) throw TemplateError("Invalid format specifier");
    return spec;
}

std::string format_with_spec(const Value& v, std::string_view spec_text) {
    Spec spec = parse_spec(spec_text);
    if (spec.type == 's' || (spec.type == '\0' && !v.is_number())) {
        std::string s = v.to_str();
        if (spec.precision >= 0) {
            std::vector<size_t> offsets = code_point_offsets(s);
            if (static_cast<size_t>(spec.precision) + 1 < offsets.size())
                s = s.substr(0, offsets[static_cast<size_t>(spec.precision)]);
        }
        return pad(s, spec, '<');
    }
    if (spec.type == '\0') {
        if (v.is_float()) return format_number(v, spec);
        spec.type = 'd';
        if (v.is_bool() && spec.width == 0) return v.to_str();
    }
    return format_number(v, spec);
}

}  // namespace

std::string percent_format(std::string_view format, const Value& args, size_t max_bytes) {
    std::vector<Value> positional;
    if (args.is_list() && args.list_data().is_tuple) {
        positional = args.list_data().items;
    } else {
        positional.push_back(args);
    }
    size_t next_arg = 0;
    bool used_mapping = false;
    std::string out;
    for (size_t i = 0; i < format.size(); ++i) {
        if (out.size() > max_bytes) throw TemplateError("string exceeds the output limit");
        if (format[i] != '%') {
            out += format[i];
            continue;
        }
        if (++i >= format.size()) throw TemplateError("incomplete format");
        if (format[i] == '%') {
            out += '%';
            continue;
        }
        Value arg;
        bool have_arg = false;
        if (format[i] == '(') {
            size_t close = format.find(')', i);
            if (close == std::string_view::npos) throw TemplateError("incomplete format key");
            if (!args.is_dict()) throw TemplateError("format requires a mapping");
            const Value* v = args.dict_data().find(format.substr(i + 1, close - i - 1));
            if (!v)
                throw TemplateError("KeyError: '" +
                                    std::string(format.substr(i + 1, close - i - 1)) + "'");
            arg = *v;
            have_arg = true;
            used_mapping = true;
            i = close + 1;
        }
        Spec spec;
        spec.align = '>';
        for (; i < format.size() && std::strchr("-+ #0", format[i]); ++i) {
            if (format[i] == '-') spec.align = '<';
            if (format[i] == '+' || format[i] == ' ') spec.sign = format[i];
            if (format[i] == '#') spec.alternate = true;
            if (format[i] == '0') spec.zero = true;
        }
        for (; i < format.size() && format[i] >= '0' && format[i] <= '9'; ++i) {
            if (spec.width < 100000) spec.width = spec.width * 10 + (format[i] - '0');
        }
        if (i < format.size() && format[i] == '.') {
            spec.precision = 0;
            for (++i; i < format.size() && format[i] >= '0' && format[i] <= '9'; ++i) {
                if (spec.precision < 1000) spec.precision = spec.precision * 10 + (format[i] - '0');
            }
        }
        if (i >= format.size()) throw TemplateError("incomplete format");
        char type = format[i];
        if (!have_arg) {
            if (next_arg >= positional.size())
                throw TemplateError("not enough arguments for format string");
            arg = positional[next_arg++];
        }
        if (spec.zero && spec.align == '>') {
            spec.fill = '0';
            spec.align = '=';
        }
        switch (type) {
            case 's':
            case 'r':
            case 'a': {
                std::string s = type == 's' ? arg.to_str() : arg.repr();
                if (spec.precision >= 0) s = s.substr(0, static_cast<size_t>(spec.precision));
                spec.fill = ' ';
                out += pad(s, spec, '>');
                break;
            }
            case 'i':
            case 'u':
                type = 'd';
                [[fallthrough]];
            case 'd':
            case 'x':
            case 'X':
            case 'o':
            case 'c':
            case 'f':
            case 'F':
            case 'e':
            case 'E':
            case 'g':
            case 'G':
                if (!arg.is_number()) {
                    throw TemplateError("%" + std::string(1, type) +
                                        " format: a real number is required, not " +
                                        arg.type_name());
                }
                spec.type = type == 'F' ? 'f' : type;
                out += format_number(arg, spec);
                break;
            default:
                throw TemplateError("unsupported format character '" + std::string(1, type) + "'");
        }
    }
    if (!used_mapping && next_arg < positional.size() && !(args.is_dict() && next_arg == 0)) {
        throw TemplateError("not all arguments converted during string formatting");
    }
    return out;
}

std::string str_format(std::string_view format, const CallArgs& args, size_t max_bytes) {
    std::string out;
    size_t auto_index = 0;
    for (size_t i = 0; i < format.size(); ++i) {
        if (out.size() > max_bytes) throw TemplateError("string exceeds the output limit");
        char c = format[i];
        if (c == '}') {
            if (i + 1 < format.size() && format[i + 1] == '}')
                ++i;
            else
                throw TemplateError("Single '}' encountered in format string");
            out += '}';
            continue;
        }
        if (c != '{') {
            out += c;
            continue;
        }
        if (i + 1 < format.size() && format[i + 1] == '{') {
            out += '{';
            ++i;
            continue;
        }
        size_t close = format.find('}', i);
        if (close == std::string_view::npos)
            throw TemplateError("Single '{' encountered in format string");
        std::string_view field = format.substr(i + 1, close - i - 1);
        i = close;
        std::string_view spec, conversion;
        if (size_t colon = field.find(':'); colon != std::string_view::npos) {
            spec = field.substr(colon + 1);
            field = field.substr(0, colon);
        }
        if (size_t bang = field.find('!'); bang != std::string_view::npos) {
            conversion = field.substr(bang + 1);
            field = field.substr(0, bang);
        }
        size_t name_end = field.find_first_of(".[");
        std::string_view name = field.substr(0, name_end);
        Value v;
        if (name.empty()) {
            if (auto_index >= args.positional.size())
                throw TemplateError("Replacement index " + std::to_string(auto_index) +
                                    " out of range for positional args tuple");
            v = args.positional[auto_index++];
        } else if (name[0] >= '0' && name[0] <= '9') {
            size_t index =
                static_cast<size_t>(std::strtoul(std::string(name).c_str(), nullptr, 10));
            if (index >= args.positional.size())
                throw TemplateError("Replacement index " + std::to_string(index) +
                                    " out of range for positional args tuple");
            v = args.positional[index];
        } else {
            bool found = false;
            for (const auto& [k, value] : args.keyword) {
                if (k == name) {
                    v = value;
                    found = true;
                }
            }
            if (!found) throw TemplateError("KeyError: '" + std::string(name) + "'");
        }
        // Attribute and index lookups after the name: .attr and [key].
        std::string_view rest =
            name_end == std::string_view::npos ? std::string_view() : field.substr(name_end);
        while (!rest.empty()) {
            if (rest[0] == '.') {
                size_t end = rest.find_first_of(".[", 1);
                v = get_attribute(
                    v, std::string(rest.substr(
                           1, end == std::string_view::npos ? std::string_view::npos : end - 1)));
                rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
            } else {
                size_t end = rest.find(']');
                if (end == std::string_view::npos)
                    throw TemplateError("Missing ']' in format string");
                std::string key(rest.substr(1, end - 1));
                bool numeric =
                    !key.empty() && key.find_first_not_of("0123456789") == std::string::npos;
                v = get_item(v, numeric ? Value::integer(std::strtoll(key.c_str(), nullptr, 10))
                                        : Value::string(key));
                rest = rest.substr(end + 1);
            }
        }
        if (conversion == "r")
            v = Value::string(v.repr());
        else if (conversion == "s")
            v = Value::string(v.to_str());
        out += format_with_spec(v, spec);
    }
    return out;
}

std::string escape_html(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&#34;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string format_time(std::string_view format, const std::tm& time) {
    if (format.empty()) return "";
    std::string fmt(format);
    // A trailing marker tells an empty result from a too-small buffer.
    fmt += '\x01';
    std::vector<char> buf(256);
    while (buf.size() <= (1u << 20)) {
        size_t n = std::strftime(buf.data(), buf.size(), fmt.c_str(), &time);
        if (n > 0) return std::string(buf.data(), n - 1);
        buf.resize(buf.size() * 4);
    }
    throw TemplateError("strftime result too long");
}

}  // namespace lamina::chat::jinja
