// Python str methods for templates: split, strip, startswith, replace, format, join...
#include "chat/jinja_string_methods.h"

#include <algorithm>

#include "chat/jinja_args.h"
#include "chat/jinja_error.h"
#include "chat/jinja_format.h"
#include "chat/jinja_interpreter.h"
#include "chat/jinja_unicode.h"

namespace lamina::chat::jinja {
namespace {

const std::string& str_arg(const Value& v, const char* what) {
    if (!v.is_string())
        throw TemplateError(std::string(what) + " must be str, not " + v.type_name());
    return v.as_string();
}

std::vector<std::string> split_whitespace(const std::string& s, int64_t maxsplit) {
    std::vector<std::string> parts;
    size_t pos = 0;
    auto skip_space = [&] {
        while (pos < s.size()) {
            size_t p = pos;
            if (!is_space(decode_utf8(s, p))) break;
            pos = p;
        }
    };
    skip_space();
    while (pos < s.size()) {
        if (maxsplit >= 0 && static_cast<int64_t>(parts.size()) == maxsplit) {
            size_t end = s.size();
            parts.push_back(s.substr(pos, end - pos));
            // Python keeps the remainder but drops its trailing whitespace only when splitting
            // everything; with maxsplit the remainder is kept as is except leading space.
            return parts;
        }
        size_t start = pos;
        while (pos < s.size()) {
            size_t p = pos;
            if (is_space(decode_utf8(s, p))) break;
            pos = p;
        }
        parts.push_back(s.substr(start, pos - start));
        skip_space();
    }
    return parts;
}

Value to_list(const std::vector<std::string>& parts) {
    std::vector<Value> items;
    for (const auto& p : parts) items.push_back(Value::string(p));
    return Value::list(std::move(items));
}

Value str_split(Interpreter&, const Value& self, CallArgs& args) {
    ArgBinder a("split", args, {"sep", "maxsplit"});
    Value sep = a.get(0, Value::none());
    int64_t maxsplit = a.get(1, Value::integer(-1)).as_int();
    const std::string& s = self.as_string();
    if (sep.is_none()) return to_list(split_whitespace(s, maxsplit));
    const std::string& d = str_arg(sep, "sep");
    if (d.empty()) throw TemplateError("empty separator");
    std::vector<std::string> parts;
    size_t pos = 0;
    while (true) {
        size_t hit = s.find(d, pos);
        if (hit == std::string::npos ||
            (maxsplit >= 0 && static_cast<int64_t>(parts.size()) == maxsplit))
            break;
        parts.push_back(s.substr(pos, hit - pos));
        pos = hit + d.size();
    }
    parts.push_back(s.substr(pos));
    return to_list(parts);
}

Value str_rsplit(Interpreter& in, const Value& self, CallArgs& args) {
    ArgBinder a("rsplit", args, {"sep", "maxsplit"});
    Value sep = a.get(0, Value::none());
    int64_t maxsplit = a.get(1, Value::integer(-1)).as_int();
    if (maxsplit < 0) return str_split(in, self, args);
    const std::string& s = self.as_string();
    std::vector<std::string> parts;
    if (sep.is_none()) {
        std::vector<std::string> all = split_whitespace(s, -1);
        size_t keep = all.size() > static_cast<size_t>(maxsplit)
                          ? all.size() - static_cast<size_t>(maxsplit)
                          : 0;
        if (keep > 1) {
            // Rejoin the leading words with the original text between them.
            size_t end = 0;
            for (size_t i = 0; i < keep; ++i) end = s.find(all[i], end) + all[i].size();
            size_t begin = s.find(all[0]);
            parts.push_back(s.substr(begin, end - begin));
            parts.insert(parts.end(), all.begin() + static_cast<std::ptrdiff_t>(keep), all.end());
            return to_list(parts);
        }
        return to_list(all);
    }
    const std::string& d = str_arg(sep, "sep");
    if (d.empty()) throw TemplateError("empty separator");
    size_t end = s.size();
    while (static_cast<int64_t>(parts.size()) < maxsplit) {
        if (end < d.size()) break;
        size_t hit = s.rfind(d, end - d.size());
        if (hit == std::string::npos) break;
        parts.insert(parts.begin(), s.substr(hit + d.size(), end - hit - d.size()));
        end = hit;
    }
    parts.insert(parts.begin(), s.substr(0, end));
    return to_list(parts);
}

Value str_strip_impl(const Value& self, CallArgs& args, const char* name, bool left, bool right) {
    ArgBinder a(name, args, {"chars"});
    return Value::string(strip_string(self.as_string(), a.get(0, Value::none()), left, right));
}
Value str_strip(Interpreter&, const Value& self, CallArgs& args) {
    return str_strip_impl(self, args, "strip", true, true);
}
Value str_lstrip(Interpreter&, const Value& self, CallArgs& args) {
    return str_strip_impl(self, args, "lstrip", true, false);
}
Value str_rstrip(Interpreter&, const Value& self, CallArgs& args) {
    return str_strip_impl(self, args, "rstrip", false, true);
}

Value affix_test(const Value& self, CallArgs& args, const char* name, bool prefix) {
    ArgBinder a(name, args, {"prefix"});
    Value p = a.get(0);
    std::vector<Value> candidates;
    if (p.is_list() && p.list_data().is_tuple) {
        candidates = p.list_data().items;
    } else {
        if (!p.is_string()) {
            throw TemplateError(std::string(name) +
                                " first arg must be str or a tuple of str, not " + p.type_name());
        }
        candidates.push_back(p);
    }
    const std::string& s = self.as_string();
    for (const Value& c : candidates) {
        const std::string& x = str_arg(c, name);
        if (x.size() > s.size()) continue;
        if (prefix ? s.compare(0, x.size(), x) == 0
                   : s.compare(s.size() - x.size(), x.size(), x) == 0) {
            return Value::boolean(true);
        }
    }
    return Value::boolean(false);
}
Value str_startswith(Interpreter&, const Value& self, CallArgs& args) {
    return affix_test(self, args, "startswith", true);
}
Value str_endswith(Interpreter&, const Value& self, CallArgs& args) {
    return affix_test(self, args, "endswith", false);
}

Value str_replace(Interpreter& in, const Value& self, CallArgs& args) {
    ArgBinder a("replace", args, {"old", "new", "count"});
    const std::string from = str_arg(a.get(0), "replace() argument 1");
    const std::string to = str_arg(a.get(1), "replace() argument 2");
    int64_t count = a.get(2, Value::integer(-1)).as_int();
    const std::string& s = self.as_string();
    std::string out;
    if (from.empty()) {
        // Python inserts `to` between every character and at both ends.
        std::vector<size_t> offsets = code_point_offsets(s);
        for (size_t i = 0; i < offsets.size(); ++i) {
            if (count < 0 || static_cast<int64_t>(i) < count) out += to;
            if (i + 1 < offsets.size()) out.append(s, offsets[i], offsets[i + 1] - offsets[i]);
            in.check_size(out.size());
        }
        return Value::string(std::move(out));
    }
    size_t pos = 0;
    int64_t done = 0;
    while (count < 0 || done < count) {
        size_t hit = s.find(from, pos);
        if (hit == std::string::npos) break;
        out.append(s, pos, hit - pos);
        out += to;
        in.check_size(out.size());
        pos = hit + from.size();
        ++done;
    }
    out.append(s, pos, std::string::npos);
    return Value::string(std::move(out));
}

Value str_upper(Interpreter&, const Value& self, CallArgs& args) {
    ArgBinder("upper", args, {});
    return Value::string(upper_utf8(self.as_string()));
}
Value str_lower(Interpreter&, const Value& self, CallArgs& args) {
    ArgBinder("lower", args, {});
    return Value::string(lower_utf8(self.as_string()));
}

// Python's str.title(): a letter after a non-letter is upper-cased, other letters lowered.
Value str_title(Interpreter&, const Value& self, CallArgs& args) {
    ArgBinder("title", args, {});
    std::string out;
    bool previous_cased = false;
    const std::string& s = self.as_string();
    size_t pos = 0;
    while (pos < s.size()) {
        char32_t cp = decode_utf8(s, pos);
        bool cased = is_alpha(cp);
        append_utf8(out, cased ? (previous_cased ? to_lower(cp) : to_upper(cp)) : cp);
        previous_cased = cased;
    }
    return Value::string(std::move(out));
}

Value str_capitalize(Interpreter&, const Value& self, CallArgs& args) {
    ArgBinder("capitalize", args, {});
    std::string out;
    const std::string& s = self.as_string();
    size_t pos = 0;
    bool first = true;
    while (pos < s.size()) {
        char32_t cp = decode_utf8(s, pos);
        append_utf8(out, first ? to_upper(cp) : to_lower(cp));
        first = false;
    }
    return Value::string(std::move(out));
}

Value str_format_method(Interpreter& in, const Value& self, CallArgs& args) {
    return Value::string(str_format(self.as_string(), args, in.options().limits.max_output_bytes));
}

Value str_join(Interpreter& in, const Value& self, CallArgs& args) {
    ArgBinder a("join", args, {"iterable"});
    Value items = a.get(0);
    std::string out;
    bool first = true;
    if (!items.is_list() && !items.is_dict() && !items.is_string())
        throw TemplateError("can only join an iterable");
    std::vector<Value> values = items.is_list() ? items.list_data().items : std::vector<Value>();
    if (!items.is_list()) {
        for (size_t pos = 0; items.is_string() && pos < items.as_string().size();) {
            size_t start = pos;
            decode_utf8(items.as_string(), pos);
            values.push_back(Value::string(items.as_string().substr(start, pos - start)));
        }
        if (items.is_dict()) {
            for (const auto& [k, v] : items.dict_data().entries) values.push_back(k);
        }
    }
    for (const Value& v : values) {
        if (!v.is_string())
            throw TemplateError("sequence item: expected str instance, " + v.type_name() +
                                " found");
        if (!first) out += self.as_string();
        first = false;
        out += v.as_string();
        in.check_size(out.size());
    }
    return Value::string(std::move(out));
}

Value find_impl(const Value& self, CallArgs& args, const char* name, bool reverse, bool must_find) {
    ArgBinder a(name, args, {"sub"});
    const std::string sub = str_arg(a.get(0), name);
    const std::string& s = self.as_string();
    size_t hit = reverse ? s.rfind(sub) : s.find(sub);
    if (hit == std::string::npos) {
        if (must_find) throw TemplateError("substring not found");
        return Value::integer(-1);
    }
    return Value::integer(
        static_cast<int64_t>(code_point_count(std::string_view(s).substr(0, hit))));
}
Value str_find(Interpreter&, const Value& self, CallArgs& args) {
    return find_impl(self, args, "find", false, false);
}
Value str_rfind(Interpreter&, const Value& self, CallArgs& args) {
    return find_impl(self, args, "rfind", true, false);
}
Value str_index(Interpreter&, const Value& self, CallArgs& args) {
    return find_impl(self, args, "index", false, true);
}

Value str_count(Interpreter&, const Value& self, CallArgs& args) {
    ArgBinder a("count", args, {"sub"});
    const std::string sub = str_arg(a.get(0), "count");
    const std::string& s = self.as_string();
    if (sub.empty()) return Value::integer(static_cast<int64_t>(code_point_count(s)) + 1);
    int64_t n = 0;
    for (size_t pos = s.find(sub); pos != std::string::npos; pos = s.find(sub, pos + sub.size()))
        ++n;
    return Value::integer(n);
}

template <typename Pred>
Value char_class_test(const Value& self, CallArgs& args, const char* name, Pred pred) {
    ArgBinder(name, args, {});
    const std::string& s = self.as_string();
    if (s.empty()) return Value::boolean(false);
    size_t pos = 0;
    while (pos < s.size()) {
        if (!pred(decode_utf8(s, pos))) return Value::boolean(false);
    }
    return Value::boolean(true);
}
Value str_isdigit(Interpreter&, const Value& self, CallArgs& args) {
    return char_class_test(self, args, "isdigit", [](char32_t c) { return c >= '0' && c <= '9'; });
}
Value str_isalpha(Interpreter&, const Value& self, CallArgs& args) {
    return char_class_test(self, args, "isalpha", is_alpha);
}
Value str_isalnum(Interpreter&, const Value& self, CallArgs& args) {
    return char_class_test(self, args, "isalnum",
                           [](char32_t c) { return is_alpha(c) || (c >= '0' && c <= '9'); });
}
Value str_isspace(Interpreter&, const Value& self, CallArgs& args) {
    return char_class_test(self, args, "isspace", is_space);
}

Value case_test(const Value& self, CallArgs& args, const char* name, bool upper) {
    ArgBinder(name, args, {});
    bool any_cased = false;
    const std::string& s = self.as_string();
    size_t pos = 0;
    while (pos < s.size()) {
        char32_t c = decode_utf8(s, pos);
        if (to_upper(c) != c || to_lower(c) != c) {
            any_cased = true;
            if ((upper ? to_upper(c) : to_lower(c)) != c) return Value::boolean(false);
        }
    }
    return Value::boolean(any_cased);
}
Value str_isupper(Interpreter&, const Value& self, CallArgs& args) {
    return case_test(self, args, "isupper", true);
}
Value str_islower(Interpreter&, const Value& self, CallArgs& args) {
    return case_test(self, args, "islower", false);
}

Value str_splitlines(Interpreter&, const Value& self, CallArgs& args) {
    ArgBinder a("splitlines", args, {"keepends"});
    bool keepends = a.get(0, Value::boolean(false)).truthy();
    const std::string& s = self.as_string();
    std::vector<std::string> lines;
    size_t start = 0, pos = 0;
    while (pos < s.size()) {
        size_t at = pos;
        char32_t c = decode_utf8(s, pos);
        bool br = c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || c == 0x1c || c == 0x1d ||
                  c == 0x1e || c == 0x85 || c == 0x2028 || c == 0x2029;
        if (!br) continue;
        if (c == '\r' && pos < s.size() && s[pos] == '\n') ++pos;
        lines.push_back(s.substr(start, (keepends ? pos : at) - start));
        start = pos;
    }
    if (start < s.size()) lines.push_back(s.substr(start));
    return to_list(lines);
}

Value affix_remove(const Value& self, CallArgs& args, const char* name, bool prefix) {
    ArgBinder a(name, args, {"affix"});
    const std::string x = str_arg(a.get(0), name);
    const std::string& s = self.as_string();
    if (x.size() <= s.size()) {
        if (prefix && s.compare(0, x.size(), x) == 0) return Value::string(s.substr(x.size()));
        if (!prefix && s.compare(s.size() - x.size(), x.size(), x) == 0)
            return Value::string(s.substr(0, s.size() - x.size()));
    }
    return self;
}
Value str_removeprefix(Interpreter&, const Value& self, CallArgs& args) {
    return affix_remove(self, args, "removeprefix", true);
}
Value str_removesuffix(Interpreter&, const Value& self, CallArgs& args) {
    return affix_remove(self, args, "removesuffix", false);
}

Value partition_impl(const Value& self, CallArgs& args, const char* name, bool reverse) {
    ArgBinder a(name, args, {"sep"});
    const std::string sep = str_arg(a.get(0), name);
    if (sep.empty()) throw TemplateError("empty separator");
    const std::string& s = self.as_string();
    size_t hit = reverse ? s.rfind(sep) : s.find(sep);
    if (hit == std::string::npos) {
        return reverse ? Value::tuple({Value::string(""), Value::string(""), self})
                       : Value::tuple({self, Value::string(""), Value::string("")});
    }
    return Value::tuple({Value::string(s.substr(0, hit)), Value::string(sep),
                         Value::string(s.substr(hit + sep.size()))});
}
Value str_partition(Interpreter&, const Value& self, CallArgs& args) {
    return partition_impl(self, args, "partition", false);
}
Value str_rpartition(Interpreter&, const Value& self, CallArgs& args) {
    return partition_impl(self, args, "rpartition", true);
}

Value justify(Interpreter& in, const Value& self, CallArgs& args, const char* name, char align) {
    ArgBinder a(name, args, {"width", "fillchar"});
    int64_t width = a.get(0, Value::integer(0)).as_int();
    std::string fill = a.get(1, Value::string(" ")).to_str();
    const std::string& s = self.as_string();
    int64_t len = static_cast<int64_t>(code_point_count(s));
    if (width <= len) return self;
    in.check_size(static_cast<size_t>(width) * fill.size());
    size_t total = static_cast<size_t>(width - len);
    size_t left = align == '<'   ? 0
                  : align == '>' ? total
                                 : total / 2 + (total & static_cast<size_t>(width) & 1);
    std::string out;
    for (size_t i = 0; i < left; ++i) out += fill;
    out += s;
    for (size_t i = left; i < total; ++i) out += fill;
    return Value::string(std::move(out));
}
Value str_center(Interpreter& in, const Value& self, CallArgs& args) {
    return justify(in, self, args, "center", '^');
}
Value str_ljust(Interpreter& in, const Value& self, CallArgs& args) {
    return justify(in, self, args, "ljust", '<');
}
Value str_rjust(Interpreter& in, const Value& self, CallArgs& args) {
    return justify(in, self, args, "rjust", '>');
}
struct MethodEntry {
    const char* name;
    MethodFn fn;
};

constexpr std::array kStringMethods{
    MethodEntry{"split", str_split},
    MethodEntry{"rsplit", str_rsplit},
    MethodEntry{"strip", str_strip},
    MethodEntry{"lstrip", str_lstrip},
    MethodEntry{"rstrip", str_rstrip},
    MethodEntry{"startswith", str_startswith},
    MethodEntry{"endswith", str_endswith},
    MethodEntry{"replace", str_replace},
    MethodEntry{"upper", str_upper},
    MethodEntry{"lower", str_lower},
    MethodEntry{"title", str_title},
    MethodEntry{"capitalize", str_capitalize},
    MethodEntry{"format", str_format_method},
    MethodEntry{"join", str_join},
    MethodEntry{"find", str_find},
    MethodEntry{"rfind", str_rfind},
    MethodEntry{"index", str_index},
    MethodEntry{"count", str_count},
    MethodEntry{"isdigit", str_isdigit},
    MethodEntry{"isnumeric", str_isdigit},
    MethodEntry{"isdecimal", str_isdigit},
    MethodEntry{"isalpha", str_isalpha},
    MethodEntry{"isalnum", str_isalnum},
    MethodEntry{"isspace", str_isspace},
    MethodEntry{"isupper", str_isupper},
    MethodEntry{"islower", str_islower},
    MethodEntry{"splitlines", str_splitlines},
    MethodEntry{"removeprefix", str_removeprefix},
    MethodEntry{"removesuffix", str_removesuffix},
    MethodEntry{"partition", str_partition},
    MethodEntry{"rpartition", str_rpartition},
    MethodEntry{"center", str_center},
    MethodEntry{"ljust", str_ljust},
    MethodEntry{"rjust", str_rjust},
};

}  // namespace

std::string strip_string(const std::string& s, const Value& chars, bool left, bool right) {
    std::vector<char32_t> set;
    bool whitespace = chars.is_none() || chars.is_undefined();
    if (!whitespace) {
        const std::string& c = str_arg(chars, "strip arg");
        for (size_t pos = 0; pos < c.size();) set.push_back(decode_utf8(c, pos));
    }
    auto strip_it = [&](char32_t cp) {
        return whitespace ? is_space(cp) : std::find(set.begin(), set.end(), cp) != set.end();
    };
    std::vector<size_t> offsets = code_point_offsets(s);
    size_t begin = 0, end = offsets.size() - 1;
    auto cp_at = [&](size_t i) {
        size_t p = offsets[i];
        return decode_utf8(s, p);
    };
    if (left) {
        while (begin < end && strip_it(cp_at(begin))) ++begin;
    }
    if (right) {
        while (end > begin && strip_it(cp_at(end - 1))) --end;
    }
    return s.substr(offsets[begin], offsets[end] - offsets[begin]);
}

MethodFn find_string_method(const std::string& name) {
    for (const MethodEntry& m : kStringMethods) {
        if (name == m.name) return m.fn;
    }
    return nullptr;
}

}  // namespace lamina::chat::jinja
