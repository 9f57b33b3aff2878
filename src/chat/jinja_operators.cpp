// Jinja operators with Python's semantics: arithmetic, comparison, membership, attribute and
// item access, slicing and iteration.
#include "chat/jinja_operators.h"

#include <cmath>
#include <limits>
#include <optional>

#include "chat/jinja_error.h"
#include "chat/jinja_format.h"
#include "chat/jinja_methods.h"
#include "chat/jinja_unicode.h"

namespace lamina::chat::jinja {
namespace {

[[noreturn]] void unsupported(const std::string& op, const Value& a, const Value& b) {
    throw TemplateError("unsupported operand type(s) for " + op + ": '" + a.type_name() +
                        "' and '" + b.type_name() + "'");
}

void check_defined(const Value& v) {
    if (v.is_undefined()) throw TemplateError(undefined_message(v));
}

Value repeat(const Value& seq, int64_t times, size_t max_bytes) {
    if (times < 0) times = 0;
    if (seq.is_string()) {
        size_t unit = seq.as_string().size();
        if (unit != 0 && static_cast<uint64_t>(times) > max_bytes / unit) {
            throw TemplateError("string repetition exceeds the output limit");
        }
        std::string out;
        out.reserve(unit * static_cast<size_t>(times));
        for (int64_t i = 0; i < times; ++i) out += seq.as_string();
        return Value::string(std::move(out));
    }
    const auto& items = seq.list_data().items;
    if (!items.empty() && static_cast<uint64_t>(times) > (max_bytes / 16) / items.size()) {
        throw TemplateError("list repetition exceeds the output limit");
    }
    std::vector<Value> out;
    for (int64_t i = 0; i < times; ++i) out.insert(out.end(), items.begin(), items.end());
    return seq.list_data().is_tuple ? Value::tuple(std::move(out)) : Value::list(std::move(out));
}

double checked_divisor(double d) {
    if (d == 0.0) throw TemplateError("division by zero");
    return d;
}

Value arithmetic(const std::string& op, const Value& a, const Value& b, size_t max_bytes) {
    bool ints = !a.is_float() && !b.is_float();
    if (op == "+") {
        if (a.is_number() && b.is_number()) {
            if (!ints) return Value::floating(a.as_double() + b.as_double());
            int64_t r;
            if (__builtin_add_overflow(a.as_int(), b.as_int(), &r))
                throw TemplateError("integer overflow");
            return Value::integer(r);
        }
        if (a.is_string() && b.is_string()) {
            if (a.as_string().size() + b.as_string().size() > max_bytes) {
                throw TemplateError("string exceeds the output limit");
            }
            if (a.is_safe() || b.is_safe()) {
                // Markup + str escapes the plain side and stays Markup.
                return Value::safe_string(
                    (a.is_safe() ? a.as_string() : escape_html(a.as_string())) +
                    (b.is_safe() ? b.as_string() : escape_html(b.as_string())));
            }
            return Value::string(a.as_string() + b.as_string());
        }
        if (a.is_list() && b.is_list() && a.list_data().is_tuple == b.list_data().is_tuple) {
            std::vector<Value> items = a.list_data().items;
            if ((items.size() + b.list_data().items.size()) * 16 > max_bytes) {
                throw TemplateError("list exceeds the output limit");
            }
            items.insert(items.end(), b.list_data().items.begin(), b.list_data().items.end());
            return a.list_data().is_tuple ? Value::tuple(std::move(items))
                                          : Value::list(std::move(items));
        }
        if (a.is_string()) {
            throw TemplateError("can only concatenate str (not \"" + b.type_name() + "\") to str");
        }
        if (a.is_list() && !a.list_data().is_tuple) {
            throw TemplateError("can only concatenate list (not \"" + b.type_name() +
                                "\") to list");
        }
        unsupported(op, a, b);
    }
    if (op == "*") {
        if (a.is_number() && b.is_number()) {
            if (!ints) return Value::floating(a.as_double() * b.as_double());
            int64_t r;
            if (__builtin_mul_overflow(a.as_int(), b.as_int(), &r))
                throw TemplateError("integer overflow");
            return Value::integer(r);
        }
        if ((a.is_string() || a.is_list()) && b.is_number() && !b.is_float())
            return repeat(a, b.as_int(), max_bytes);
        if ((b.is_string() || b.is_list()) && a.is_number() && !a.is_float())
            return repeat(b, a.as_int(), max_bytes);
        unsupported(op, a, b);
    }
    if (op == "%" && a.is_string())
        return Value::string(percent_format(a.as_string(), b, max_bytes));
    if (!a.is_number() || !b.is_number()) unsupported(op, a, b);
    if (op == "-") {
        if (!ints) return Value::floating(a.as_double() - b.as_double());
        int64_t r;
        if (__builtin_sub_overflow(a.as_int(), b.as_int(), &r))
            throw TemplateError("integer overflow");
        return Value::integer(r);
    }
    if (op == "/") return Value::floating(a.as_double() / checked_divisor(b.as_double()));
    if (op == "//" || op == "%") {
        if (ints) {
            int64_t x = a.as_int(), y = b.as_int();
            if (y == 0) throw TemplateError("integer division or modulo by zero");
            if (x == std::numeric_limits<int64_t>::min() && y == -1)
                throw TemplateError("integer overflow");
            int64_t q = x / y, r = x % y;
            if (r != 0 && ((r < 0) != (y < 0))) {
                --q;
                r += y;
            }
            return Value::integer(op == "//" ? q : r);
        }
        double x = a.as_double(), y = checked_divisor(b.as_double());
        if (op == "//") return Value::floating(std::floor(x / y));
        double r = std::fmod(x, y);
        if (r != 0 && ((r < 0) != (y < 0))) r += y;
        return Value::floating(r);
    }
    if (op == "**") {
        if (ints && b.as_int() >= 0) {
            int64_t result = 1, base = a.as_int();
            for (int64_t e = b.as_int(); e > 0; --e) {
                if (__builtin_mul_overflow(result, base, &result))
                    throw TemplateError("integer overflow");
                if (result == 0 || result == 1) break;
            }
            return Value::integer(result);
        }
        return Value::floating(std::pow(a.as_double(), b.as_double()));
    }
    unsupported(op, a, b);
}

// "'dict object' has no attribute 'x'", built by appending (GCC 12 warns falsely about
// `"literal" + std::string` temporaries here).
std::string no_attribute(const Value& obj, const std::string& name) {
    std::string message = "'";
    message.append(obj.type_name()).append(" object' has no attribute '").append(name).append("'");
    return message;
}

int sign(double d) {
    return d < 0 ? -1 : d > 0 ? 1 : 0;
}

// Python's normalisation of a possibly negative index; false when out of range.
bool normalize_index(int64_t& index, size_t size) {
    if (index < 0) index += static_cast<int64_t>(size);
    return index >= 0 && index < static_cast<int64_t>(size);
}

}  // namespace

std::string undefined_message(const Value& undefined) {
    return undefined.undefined_hint().empty() ? "value is undefined" : undefined.undefined_hint();
}

int compare_values(const Value& a, const Value& b) {
    if (a.is_number() && b.is_number()) {
        if (a.is_float() || b.is_float()) return sign(a.as_double() - b.as_double());
        return a.as_int() < b.as_int() ? -1 : a.as_int() > b.as_int() ? 1 : 0;
    }
    if (a.is_string() && b.is_string()) {
        int c = a.as_string().compare(b.as_string());
        return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    if (a.is_list() && b.is_list() && a.list_data().is_tuple == b.list_data().is_tuple) {
        const auto& x = a.list_data().items;
        const auto& y = b.list_data().items;
        for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
            if (!values_equal(x[i], y[i])) return compare_values(x[i], y[i]);
        }
        return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
    }
    check_defined(a);
    check_defined(b);
    throw TemplateError("'<' not supported between instances of '" + a.type_name() + "' and '" +
                        b.type_name() + "'");
}

bool contains(const Value& container, const Value& item) {
    switch (container.kind()) {
        case Kind::String:
            if (!item.is_string()) {
                throw TemplateError("'in <string>' requires string as left operand, not " +
                                    item.type_name());
            }
            return container.as_string().find(item.as_string()) != std::string::npos;
        case Kind::List:
            for (const Value& v : container.list_data().items) {
                if (values_equal(v, item)) return true;
            }
            return false;
        case Kind::Dict:
            return container.dict_data().find(item) != nullptr;
        case Kind::Undefined:
            return false;
        default:
            throw TemplateError("argument of type '" + container.type_name() + "' is not iterable");
    }
}

Value binary_operation(const std::string& op, const Value& a, const Value& b, size_t max_bytes) {
    if (op == "==") return Value::boolean(values_equal(a, b));
    if (op == "!=") return Value::boolean(!values_equal(a, b));
    if (op == "~") {
        std::string out = a.to_str();
        if (b.is_string()) {
            if (out.size() + b.as_string().size() > max_bytes) {
                throw TemplateError("string exceeds the output limit");
            }
            out += b.as_string();
        } else {
            out += b.to_str();
        }
        if (out.size() > max_bytes) throw TemplateError("string exceeds the output limit");
        return Value::string(std::move(out));
    }
    if (op == "in") return Value::boolean(contains(b, a));
    if (op == "not in") return Value::boolean(!contains(b, a));
    if (op == "<") return Value::boolean(compare_values(a, b) < 0);
    if (op == "<=") return Value::boolean(compare_values(a, b) <= 0);
    if (op == ">") return Value::boolean(compare_values(a, b) > 0);
    if (op == ">=") return Value::boolean(compare_values(a, b) >= 0);
    check_defined(a);
    check_defined(b);
    return arithmetic(op, a, b, max_bytes);
}

Value get_attribute(const Value& obj, const std::string& name) {
    if (obj.is_undefined()) throw TemplateError(undefined_message(obj));
    // The sandbox hides private and dunder attributes.
    if (!name.empty() && name[0] == '_') return Value::undefined(no_attribute(obj, name));
    if (obj.is_namespace()) {
        const Value* v = obj.dict_data().find(name);
        return v ? *v : Value::undefined(no_attribute(obj, name));
    }
    Value method = get_method(obj, name);
    if (!method.is_undefined()) return method;
    if (obj.is_dict()) {
        const Value* v = obj.dict_data().find(name);
        if (v) return *v;
    }
    return Value::undefined(no_attribute(obj, name));
}

Value get_item(const Value& obj, const Value& key) {
    if (obj.is_undefined()) throw TemplateError(undefined_message(obj));
    switch (obj.kind()) {
        case Kind::Dict: {
            const Value* v = obj.dict_data().find(key);
            if (v) return *v;
            break;
        }
        case Kind::Namespace:
            if (key.is_string()) return get_attribute(obj, key.as_string());
            break;
        case Kind::List:
            if (key.is_number() && !key.is_float()) {
                int64_t index = key.as_int();
                const auto& items = obj.list_data().items;
                if (normalize_index(index, items.size())) return items[static_cast<size_t>(index)];
                return Value::undefined(obj.type_name() + " object has no element " +
                                        std::to_string(key.as_int()));
            }
            break;
        case Kind::String:
            if (key.is_number() && !key.is_float()) {
                int64_t index = key.as_int();
                std::vector<size_t> offsets = code_point_offsets(obj.as_string());
                if (normalize_index(index, offsets.size() - 1)) {
                    size_t i = static_cast<size_t>(index);
                    return Value::string(
                        obj.as_string().substr(offsets[i], offsets[i + 1] - offsets[i]));
                }
                return Value::undefined("str object has no element " +
                                        std::to_string(key.as_int()));
            }
            break;
        default:
            break;
    }
    if (key.is_string()) return get_attribute(obj, key.as_string());
    return Value::undefined(no_attribute(obj, key.to_str()));
}

Value slice_value(const Value& obj, const Value& start_v, const Value& stop_v,
                  const Value& step_v) {
    if (obj.is_undefined()) throw TemplateError(undefined_message(obj));
    if (!obj.is_string() && !obj.is_list()) {
        throw TemplateError("'" + obj.type_name() + "' object is not subscriptable");
    }
    auto as_index = [](const Value& v) -> std::optional<int64_t> {
        if (v.is_undefined() || v.is_none()) return std::nullopt;
        if (!v.is_number() || v.is_float())
            throw TemplateError("slice indices must be integers or None");
        return v.as_int();
    };
    std::optional<int64_t> start_o = as_index(start_v), stop_o = as_index(stop_v),
                           step_o = as_index(step_v);
    int64_t step = step_o.value_or(1);
    if (step == 0) throw TemplateError("slice step cannot be zero");
    std::vector<size_t> offsets;
    int64_t length;
    if (obj.is_string()) {
        offsets = code_point_offsets(obj.as_string());
        length = static_cast<int64_t>(offsets.size()) - 1;
    } else {
        length = static_cast<int64_t>(obj.list_data().items.size());
    }
    // Python's slice.indices(): clamp each bound into range for the step's direction.
    auto clamp = [&](std::optional<int64_t> v, int64_t fallback) {
        if (!v) return fallback;
        int64_t i = *v;
        if (i < 0) {
            i += length;
            if (i < 0) i = step < 0 ? -1 : 0;
        } else if (i >= length) {
            i = step < 0 ? length - 1 : length;
        }
        return i;
    };
    int64_t start = clamp(start_o, step < 0 ? length - 1 : 0);
    int64_t stop = clamp(stop_o, step < 0 ? -1 : length);
    std::vector<int64_t> picked;
    for (int64_t i = start; step > 0 ? i < stop : i > stop;) {
        picked.push_back(i);
        if (__builtin_add_overflow(i, step, &i)) break;  // a huge step leaves the range
    }
    if (obj.is_string()) {
        std::string out;
        const std::string& s = obj.as_string();
        if (step == 1 && !picked.empty()) {
            return Value::string(
                s.substr(offsets[static_cast<size_t>(start)],
                         offsets[static_cast<size_t>(stop)] - offsets[static_cast<size_t>(start)]));
        }
        for (int64_t i : picked) {
            size_t k = static_cast<size_t>(i);
            out.append(s, offsets[k], offsets[k + 1] - offsets[k]);
        }
        return Value::string(std::move(out));
    }
    std::vector<Value> items;
    for (int64_t i : picked) items.push_back(obj.list_data().items[static_cast<size_t>(i)]);
    return obj.list_data().is_tuple ? Value::tuple(std::move(items))
                                    : Value::list(std::move(items));
}

std::vector<Value> iterate(const Value& value) {
    switch (value.kind()) {
        case Kind::Undefined:
            return {};
        case Kind::List:
            return value.list_data().items;
        case Kind::Dict: {
            std::vector<Value> keys;
            for (const auto& [k, v] : value.dict_data().entries) keys.push_back(k);
            return keys;
        }
        case Kind::String: {
            std::vector<Value> chars;
            std::vector<size_t> offsets = code_point_offsets(value.as_string());
            for (size_t i = 0; i + 1 < offsets.size(); ++i) {
                chars.push_back(Value::string(
                    value.as_string().substr(offsets[i], offsets[i + 1] - offsets[i])));
            }
            return chars;
        }
        default:
            throw TemplateError("'" + value.type_name() + "' object is not iterable");
    }
}

}  // namespace lamina::chat::jinja
