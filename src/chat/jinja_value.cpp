// Jinja values: construction, truthiness, equality and Python's str()/repr() of each kind.
#include "chat/jinja_value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "chat/jinja_error.h"
#include "chat/jinja_unicode.h"

namespace lamina::chat::jinja {

const Value* DictData::find(const Value& key) const {
    for (const auto& [k, v] : entries) {
        if (values_equal(k, key)) return &v;
    }
    return nullptr;
}

const Value* DictData::find(std::string_view key) const {
    for (const auto& [k, v] : entries) {
        if (k.is_string() && k.as_string() == key) return &v;
    }
    return nullptr;
}

namespace {

int checked_depth(int child_depth) {
    if (child_depth + 1 > kMaxValueDepth) {
        throw TemplateError("value nested too deeply (more than " + std::to_string(kMaxValueDepth) +
                            " levels of lists and dicts)");
    }
    return child_depth + 1;
}

}  // namespace

int Value::nesting() const {
    if (kind_ == Kind::List) return list_->depth;
    if (kind_ == Kind::Dict) return dict_->depth;
    return 0;
}

void DictData::set(Value key, Value value) {
    depth = std::max(depth, checked_depth(std::max(key.nesting(), value.nesting())));
    for (auto& [k, v] : entries) {
        if (values_equal(k, key)) {
            v = std::move(value);
            return;
        }
    }
    entries.emplace_back(std::move(key), std::move(value));
}

Value Value::undefined(std::string hint) {
    Value v;
    v.string_ = std::move(hint);
    return v;
}

Value Value::none() {
    Value v;
    v.kind_ = Kind::None;
    return v;
}

Value Value::boolean(bool b) {
    Value v;
    v.kind_ = Kind::Bool;
    v.bool_ = b;
    return v;
}

Value Value::integer(int64_t i) {
    Value v;
    v.kind_ = Kind::Int;
    v.int_ = i;
    return v;
}

Value Value::floating(double f) {
    Value v;
    v.kind_ = Kind::Float;
    v.float_ = f;
    return v;
}

Value Value::string(std::string s) {
    Value v;
    v.kind_ = Kind::String;
    v.string_ = std::move(s);
    return v;
}

Value Value::safe_string(std::string s) {
    Value v = string(std::move(s));
    v.bool_ = true;
    return v;
}

Value Value::list(std::vector<Value> items) {
    int child_depth = 0;
    for (const Value& item : items) child_depth = std::max(child_depth, item.nesting());
    Value v;
    v.kind_ = Kind::List;
    v.list_ = std::make_shared<ListData>();
    v.list_->depth = checked_depth(child_depth);
    v.list_->items = std::move(items);
    return v;
}

Value Value::tuple(std::vector<Value> items) {
    Value v = list(std::move(items));
    v.list_->is_tuple = true;
    return v;
}

Value Value::dict() {
    Value v;
    v.kind_ = Kind::Dict;
    v.dict_ = std::make_shared<DictData>();
    return v;
}

Value Value::namespace_object() {
    Value v;
    v.kind_ = Kind::Namespace;
    v.dict_ = std::make_shared<DictData>();
    return v;
}

Value Value::callable(std::string name, std::function<Value(Interpreter&, CallArgs&)> fn) {
    Value v;
    v.kind_ = Kind::Callable;
    v.callable_ = std::make_shared<CallableData>(CallableData{std::move(name), std::move(fn)});
    return v;
}

double Value::as_double() const {
    switch (kind_) {
        case Kind::Float:
            return float_;
        case Kind::Int:
            return static_cast<double>(int_);
        case Kind::Bool:
            return bool_ ? 1.0 : 0.0;
        default:
            return 0.0;
    }
}

bool Value::truthy() const {
    switch (kind_) {
        case Kind::Undefined:
        case Kind::None:
            return false;
        case Kind::Bool:
            return bool_;
        case Kind::Int:
            return int_ != 0;
        case Kind::Float:
            return float_ != 0.0;
        case Kind::String:
            return !string_.empty();
        case Kind::List:
            return !list_->items.empty();
        case Kind::Dict:
            return !dict_->entries.empty();
        case Kind::Namespace:
        case Kind::Callable:
            return true;
    }
    return false;
}

std::string Value::to_str() const {
    switch (kind_) {
        case Kind::Undefined:
            return "";
        case Kind::String:
            return string_;
        default:
            return repr();
    }
}

std::string Value::repr(int depth) const {
    if (depth > kMaxValueDepth) throw TemplateError("value nested too deeply to print");
    switch (kind_) {
        case Kind::Undefined:
            return "";
        case Kind::None:
            return "None";
        case Kind::Bool:
            return bool_ ? "True" : "False";
        case Kind::Int:
            return std::to_string(int_);
        case Kind::Float:
            return python_float_repr(float_);
        case Kind::String:
            return python_string_repr(string_);
        case Kind::List: {
            std::string out = list_->is_tuple ? "(" : "[";
            for (size_t i = 0; i < list_->items.size(); ++i) {
                if (i) out += ", ";
                out += list_->items[i].repr(depth + 1);
            }
            if (list_->is_tuple && list_->items.size() == 1) out += ",";
            out += list_->is_tuple ? ")" : "]";
            return out;
        }
        case Kind::Dict:
        case Kind::Namespace: {
            std::string out = kind_ == Kind::Namespace ? "<Namespace {" : "{";
            bool first = true;
            for (const auto& [k, v] : dict_->entries) {
                if (!first) out += ", ";
                first = false;
                out += k.repr(depth + 1) + ": " + v.repr(depth + 1);
            }
            out += kind_ == Kind::Namespace ? "}>" : "}";
            return out;
        }
        case Kind::Callable:
            return "<function " + callable_->name + ">";
    }
    return "";
}

std::string Value::type_name() const {
    switch (kind_) {
        case Kind::Undefined:
            return "Undefined";
        case Kind::None:
            return "NoneType";
        case Kind::Bool:
            return "bool";
        case Kind::Int:
            return "int";
        case Kind::Float:
            return "float";
        case Kind::String:
            return "str";
        case Kind::List:
            return list_->is_tuple ? "tuple" : "list";
        case Kind::Dict:
            return "dict";
        case Kind::Namespace:
            return "Namespace";
        case Kind::Callable:
            return "function";
    }
    return "object";
}

bool values_equal(const Value& a, const Value& b) {
    if (a.is_number() && b.is_number()) {
        if (a.is_float() || b.is_float()) return a.as_double() == b.as_double();
        return a.as_int() == b.as_int();
    }
    if (a.kind() != b.kind()) return false;
    switch (a.kind()) {
        case Kind::Undefined:
        case Kind::None:
            return true;
        case Kind::String:
            return a.as_string() == b.as_string();
        case Kind::List: {
            const auto& x = a.list_data().items;
            const auto& y = b.list_data().items;
            if (x.size() != y.size()) return false;
            for (size_t i = 0; i < x.size(); ++i) {
                if (!values_equal(x[i], y[i])) return false;
            }
            return true;
        }
        case Kind::Dict: {
            const auto& x = a.dict_data().entries;
            const auto& y = b.dict_data().entries;
            if (x.size() != y.size()) return false;
            for (const auto& [k, v] : x) {
                const Value* other = b.dict_data().find(k);
                if (!other || !values_equal(v, *other)) return false;
            }
            return true;
        }
        case Kind::Namespace:
            return &a.dict_data() == &b.dict_data();
        case Kind::Callable:
            return &a.callable_data() == &b.callable_data();
        default:
            return false;
    }
}

std::string python_float_repr(double d) {
    if (std::isnan(d)) return "nan";
    if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
    // The shortest digits that round-trip, then laid out as Python's repr does: positional
    // notation for exponents in [-4, 16), scientific otherwise.
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string sci(buf, res.ptr);
    bool negative = !sci.empty() && sci[0] == '-';
    if (negative) sci.erase(0, 1);
    size_t e_pos = sci.find('e');
    std::string mantissa = sci.substr(0, e_pos);
    int exponent = std::atoi(sci.c_str() + e_pos + 1);
    std::string digits;
    for (char c : mantissa) {
        if (c != '.') digits += c;
    }
    std::string out = negative ? "-" : "";
    if (exponent >= -4 && exponent < 16) {
        if (exponent < 0) {
            out.append("0.").append(static_cast<size_t>(-exponent - 1), '0').append(digits);
        } else {
            size_t int_len = static_cast<size_t>(exponent) + 1;
            if (digits.size() <= int_len) {
                out += digits + std::string(int_len - digits.size(), '0') + ".0";
            } else {
                out.append(digits, 0, int_len)
                    .append(".")
                    .append(digits, int_len, std::string::npos);
            }
        }
        return out;
    }
    out += digits.substr(0, 1);
    if (digits.size() > 1) out.append(".").append(digits, 1, std::string::npos);
    char exp_buf[16];
    std::snprintf(exp_buf, sizeof exp_buf, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return out + exp_buf;
}

std::string python_string_repr(std::string_view s) {
    bool has_single = s.find('\'') != std::string_view::npos;
    bool has_double = s.find('"') != std::string_view::npos;
    char quote = (has_single && !has_double) ? '"' : '\'';
    std::string out(1, quote);
    size_t pos = 0;
    while (pos < s.size()) {
        size_t start = pos;
        char32_t cp = decode_utf8(s, pos);
        char buf[16];
        if (cp == '\\') {
            out += "\\\\";
        } else if (cp == static_cast<char32_t>(quote)) {
            out += '\\';
            out += quote;
        } else if (cp == '\n') {
            out += "\\n";
        } else if (cp == '\r') {
            out += "\\r";
        } else if (cp == '\t') {
            out += "\\t";
        } else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0xa0) || cp == 0xad) {
            std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(cp));
            out += buf;
        } else if (!is_printable(cp)) {
            if (cp > 0xffff) {
                std::snprintf(buf, sizeof buf, "\\U%08x", static_cast<unsigned>(cp));
            } else {
                std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
            }
            out += buf;
        } else {
            out.append(s.substr(start, pos - start));
        }
    }
    out += quote;
    return out;
}

}  // namespace lamina::chat::jinja
