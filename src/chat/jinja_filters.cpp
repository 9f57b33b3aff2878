// Jinja filters on strings and numbers (trim, default, indent, int, round, tojson...) and the
// lookup of every filter by name; jinja2 semantics, plus Hugging Face's
// tojson (json.dumps with ensure_ascii=False by default).
#include "chat/jinja_filters.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>

#include "chat/jinja_args.h"
#include "chat/jinja_error.h"
#include "chat/jinja_format.h"
#include "chat/jinja_interpreter.h"
#include "chat/jinja_json.h"
#include "chat/jinja_methods.h"
#include "chat/jinja_operators.h"
#include "chat/jinja_sequence_filters.h"
#include "chat/jinja_string_methods.h"
#include "chat/jinja_tests.h"
#include "chat/jinja_unicode.h"

namespace lamina::chat::jinja {
namespace {

Value f_length(Interpreter&, const Value& v, CallArgs& args) {
    ArgBinder("length", args, {});
    switch (v.kind()) {
        case Kind::String:
            return Value::integer(static_cast<int64_t>(code_point_count(v.as_string())));
        case Kind::List:
            return Value::integer(static_cast<int64_t>(v.list_data().items.size()));
        case Kind::Dict:
            return Value::integer(static_cast<int64_t>(v.dict_data().entries.size()));
        case Kind::Undefined:
            return Value::integer(0);
        default:
            throw TemplateError("object of type '" + v.type_name() + "' has no len()");
    }
}

Value f_tojson(Interpreter& in, const Value& v, CallArgs& args) {
    ArgBinder a("tojson", args, {"ensure_ascii", "indent", "separators", "sort_keys"});
    JsonDumpOptions o;
    o.ensure_ascii = a.get(0, Value::boolean(false)).truthy();
    Value indent = a.get(1, Value::none());
    if (indent.is_string()) {
        o.indent = indent.as_string();
    } else if (indent.is_number()) {
        int64_t n = std::clamp<int64_t>(indent.as_int(), 0, 1000);
        o.indent = std::string(static_cast<size_t>(n), ' ');
    }
    if (o.indent) o.item_separator.assign(1, ',');
    Value separators = a.get(2, Value::none());
    if (!separators.is_none()) {
        if (!separators.is_list() || separators.list_data().items.size() != 2) {
            throw TemplateError("tojson: separators must be a pair of strings");
        }
        o.item_separator = separators.list_data().items[0].to_str();
        o.key_separator = separators.list_data().items[1].to_str();
    }
    o.sort_keys = a.get(3, Value::boolean(false)).truthy();
    std::string out = dump_json(v, o);
    in.check_size(out.size());
    return Value::string(std::move(out));
}

Value f_trim(Interpreter&, const Value& v, CallArgs& args) {
    ArgBinder a("trim", args, {"chars"});
    return Value::string(strip_string(v.to_str(), a.get(0, Value::none()), true, true));
}

Value f_string(Interpreter&, const Value& v, CallArgs& args) {
    ArgBinder("string", args, {});
    return v.is_string() ? v : Value::string(v.to_str());
}

Value f_default(Interpreter&, const Value& v, CallArgs& args) {
    ArgBinder a("default", args, {"default_value", "boolean"});
    bool use_default =
        v.is_undefined() || (a.get(1, Value::boolean(false)).truthy() && !v.truthy());
    return use_default ? a.get(0, Value::string("")) : v;
}

Value f_safe(Interpreter&, const Value& v, CallArgs& args) {
    ArgBinder("safe", args, {});
    return Value::safe_string(v.to_str());
}

Value f_escape(Interpreter&, const Value& v, CallArgs& args) {
    ArgBinder("escape", args, {});
    return v.is_safe() ? v : Value::safe_string(escape_html(v.to_str()));
}

Value f_lower(Interpreter&, const Value& v, CallArgs& args) {
    ArgBinder("lower", args, {});
    return Value::string(lower_utf8(v.to_str()));
}

Value f_upper(Interpreter&, const Value& v, CallArgs& args) {
    ArgBinder("upper", args, {});
    return Value::string(upper_utf8(v.to_str()));
}

Value f_capitalize(Interpreter& in, const Value& v, CallArgs& args) {
    Value s = Value::string(v.to_str());
    return in.call(get_method(s, "capitalize"), args);
}

// jinja2's title: words start after whitespace, '-', or an opening bracket.
Value f_title(Interpreter&, const Value& v, CallArgs& args) {
    ArgBinder("title", args, {});
    std::string s = v.to_str(), out;
    bool word_start = true;
    size_t pos = 0;
    while (pos < s.size()) {
        char32_t cp = decode_utf8(s, pos);
        bool separator =
            is_space(cp) || cp == '-' || cp == '(' || cp == '{' || cp == '[' || cp == '<';
        append_utf8(out, separator ? cp : word_start ? to_upper(cp) : to_lower(cp));
        word_start = separator;
    }
    return Value::string(std::move(out));
}

Value f_indent(Interpreter& in, const Value& v, CallArgs& args) {
    ArgBinder a("indent", args, {"width", "first", "blank"});
    Value width = a.get(0, Value::integer(4));
    std::string indentation =
        width.is_string()
            ? width.as_string()
            : std::string(static_cast<size_t>(std::clamp<int64_t>(width.as_int(), 0, 10000)), ' ');
    bool first = a.get(1, Value::boolean(false)).truthy();
    bool blank = a.get(2, Value::boolean(false)).truthy();
    CallArgs none;
    Value lines_value = in.call(get_method(Value::string(v.to_str() + "\n"), "splitlines"), none);
    const auto& lines = lines_value.list_data().items;
    std::string out;
    for (size_t i = 0; i < lines.size(); ++i) {
        const std::string& line = lines[i].as_string();
        if (i > 0) {
            out += '\n';
            if (blank || !line.empty()) out += indentation;
        }
        out += line;
        in.check_size(out.size());
    }
    if (first) out = indentation + out;
    return Value::string(std::move(out));
}

// Python's int() of a string: optional sign, digits with single underscores, surrounding space.
std::optional<int64_t> parse_python_int(const std::string& text, int base) {
    std::string s = strip_string(text, Value::none(), true, true);
    if (s.empty()) return std::nullopt;
    errno = 0;
    std::string cleaned;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '_' && i > 0 && i + 1 < s.size() &&
            std::isalnum(static_cast<unsigned char>(s[i - 1])))
            continue;
        cleaned += s[i];
    }
    char* end = nullptr;
    long long v = std::strtoll(cleaned.c_str(), &end, base);
    if (errno || end == cleaned.c_str() || *end != '\0' ||
        std::isspace(static_cast<unsigned char>(cleaned[0])))
        return std::nullopt;
    return v;
}

std::optional<double> parse_python_float(const std::string& text) {
    std::string s = strip_string(text, Value::none(), true, true);
    if (s.empty()) return std::nullopt;
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size()) return std::nullopt;
    return d;
}

Value f_int(Interpreter&, const Value& v, CallArgs& args) {
    ArgBinder a("int", args, {"default", "base"});
    Value fallback = a.get(0, Value::integer(0));
    int base = static_cast<int>(a.get(1, Value::integer(10)).as_int());
    if (v.is_number()) {
        if (!v.is_float()) return Value::integer(v.as_int());
        double d = v.as_double();
        if (!std::isfinite(d) || std::fabs(d) > 9.2e18) return fallback;
        return Value::integer(static_cast<int64_t>(d));
    }
    if (v.is_string()) {
        if (base >= 2 && base <= 36) {
            if (auto i = parse_python_int(v.as_string(), base)) return Value::integer(*i);
        }
        if (auto d = parse_python_float(v.as_string());
            d && std::isfinite(*d) && std::fabs(*d) < 9.2e18) {
            return Value::integer(static_cast<int64_t>(*d));
        }
    }
    return fallback;
}

Value f_float(Interpreter&, const Value& v, CallArgs& args) {
    ArgBinder a("float", args, {"default"});
    if (v.is_number()) return Value::floating(v.as_double());
    if (v.is_string()) {
        if (auto d = parse_python_float(v.as_string())) return Value::floating(*d);
    }
    return a.get(0, Value::floating(0.0));
}

Value f_replace(Interpreter& in, const Value& v, CallArgs& args) {
    Value s = Value::string(v.to_str());
    return in.call(get_method(s, "replace"), args);
}

Value f_abs(Interpreter&, const Value& v, CallArgs& args) {
    ArgBinder("abs", args, {});
    if (v.is_float()) return Value::floating(std::fabs(v.as_double()));
    if (!v.is_number()) throw TemplateError("bad operand type for abs(): '" + v.type_name() + "'");
    if (v.as_int() == INT64_MIN) throw TemplateError("integer overflow");
    return Value::integer(std::llabs(v.as_int()));
}

Value f_round(Interpreter&, const Value& v, CallArgs& args) {
    ArgBinder a("round", args, {"precision", "method"});
    if (!v.is_number())
        throw TemplateError("type " + v.type_name() + " doesn't define __round__ method");
    int64_t precision = std::clamp<int64_t>(a.get(0, Value::integer(0)).as_int(), -300, 300);
    std::string method = a.get(1, Value::string("common")).to_str();
    double scale = std::pow(10.0, static_cast<double>(precision));
    double x = v.as_double() * scale;
    if (method == "common")
        x = std::nearbyint(x);
    else if (method == "ceil")
        x = std::ceil(x);
    else if (method == "floor")
        x = std::floor(x);
    else
        throw TemplateError("method must be 'common', 'ceil' or 'floor'");
    return Value::floating(x / scale);
}

Value f_wordcount(Interpreter&, const Value& v, CallArgs& args) {
    ArgBinder("wordcount", args, {});
    std::string s = v.to_str();
    int64_t words = 0;
    bool in_word = false;
    size_t pos = 0;
    while (pos < s.size()) {
        char32_t cp = decode_utf8(s, pos);
        bool word_char = cp == '_' || (cp >= '0' && cp <= '9') || is_alpha(cp) ||
                         (cp >= 0x80 && !is_space(cp) && is_printable(cp));
        if (word_char && !in_word) ++words;
        in_word = word_char;
    }
    return Value::integer(words);
}

Value f_format(Interpreter& in, const Value& v, CallArgs& args) {
    if (!args.keyword.empty() && !args.positional.empty())
        throw TemplateError("can't handle positional and keyword arguments at the same time");
    Value values;
    if (!args.keyword.empty()) {
        values = Value::dict();
        for (const auto& [k, x] : args.keyword) values.dict_data().set(Value::string(k), x);
    } else {
        values = Value::tuple(args.positional);
    }
    return Value::string(percent_format(v.to_str(), values, in.options().limits.max_output_bytes));
}

Value f_center(Interpreter& in, const Value& v, CallArgs& args) {
    ArgBinder a("center", args, {"width"});
    CallArgs call;
    call.positional.push_back(a.get(0, Value::integer(80)));
    return in.call(get_method(Value::string(v.to_str()), "center"), call);
}

Value f_attr(Interpreter&, const Value& v, CallArgs& args) {
    ArgBinder a("attr", args, {"name"});
    return get_attribute(v, a.get(0).to_str());
}

Value f_pprint(Interpreter&, const Value& v, CallArgs& args) {
    ArgBinder("pprint", args, {});
    return Value::string(v.repr());
}

struct FilterEntry {
    const char* name;
    FilterFn fn;
};

constexpr std::array kFilters{
    FilterEntry{"length", f_length},
    FilterEntry{"count", f_length},
    FilterEntry{"tojson", f_tojson},
    FilterEntry{"trim", f_trim},
    FilterEntry{"string", f_string},
    FilterEntry{"default", f_default},
    FilterEntry{"d", f_default},
    FilterEntry{"safe", f_safe},
    FilterEntry{"escape", f_escape},
    FilterEntry{"e", f_escape},
    FilterEntry{"forceescape", f_escape},
    FilterEntry{"lower", f_lower},
    FilterEntry{"upper", f_upper},
    FilterEntry{"capitalize", f_capitalize},
    FilterEntry{"title", f_title},
    FilterEntry{"indent", f_indent},
    FilterEntry{"int", f_int},
    FilterEntry{"float", f_float},
    FilterEntry{"replace", f_replace},
    FilterEntry{"abs", f_abs},
    FilterEntry{"round", f_round},
    FilterEntry{"wordcount", f_wordcount},
    FilterEntry{"format", f_format},
    FilterEntry{"center", f_center},
    FilterEntry{"attr", f_attr},
    FilterEntry{"pprint", f_pprint},
};

}  // namespace

Value apply_filter(Interpreter& interpreter, const std::string& name, const Value& value,
                   CallArgs& args) {
    for (const FilterEntry& f : kFilters) {
        if (name == f.name) return f.fn(interpreter, value, args);
    }
    if (FilterFn f = find_sequence_filter(name)) return f(interpreter, value, args);
    throw TemplateError("no filter named '" + name + "'");
}

}  // namespace lamina::chat::jinja
