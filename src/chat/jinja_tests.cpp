// Jinja tests: jinja2's built-in tests with its semantics (Undefined is iterable and a
// sequence, bool is a number, `true`/`false` are identity tests).
#include "chat/jinja_tests.h"

#include <cmath>

#include "chat/jinja_args.h"
#include "chat/jinja_error.h"
#include "chat/jinja_operators.h"
#include "chat/jinja_unicode.h"

namespace lamina::chat::jinja {
namespace {

Value one_arg(const std::string& name, CallArgs& args) {
    ArgBinder a(name, args, {"other"});
    if (!a.has(0)) throw TemplateError(name + "() missing required argument 'other'");
    return a.get(0);
}

// Python's str(v).islower() / .isupper(): some cased character, and all of them in that case.
bool has_only_case(const Value& v, bool upper) {
    std::string s = v.to_str();
    bool any_cased = false;
    size_t pos = 0;
    while (pos < s.size()) {
        char32_t c = decode_utf8(s, pos);
        if (to_upper(c) == c && to_lower(c) == c) continue;
        any_cased = true;
        if ((upper ? to_upper(c) : to_lower(c)) != c) return false;
    }
    return any_cased;
}

}  // namespace

bool apply_test(Interpreter&, const std::string& name, const Value& v, CallArgs& args) {
    auto no_args = [&] { ArgBinder(name, args, {}); };
    if (name == "defined") return no_args(), !v.is_undefined();
    if (name == "undefined") return no_args(), v.is_undefined();
    if (name == "none") return no_args(), v.is_none();
    if (name == "string") return no_args(), v.is_string();
    if (name == "mapping") return no_args(), v.is_dict();
    if (name == "iterable")
        return no_args(), v.is_list() || v.is_dict() || v.is_string() || v.is_undefined();
    if (name == "sequence")
        return no_args(), v.is_list() || v.is_dict() || v.is_string() || v.is_undefined();
    if (name == "boolean") return no_args(), v.is_bool();
    if (name == "true") return no_args(), v.is_bool() && v.as_bool();
    if (name == "false") return no_args(), v.is_bool() && !v.as_bool();
    if (name == "number") return no_args(), v.is_number();
    if (name == "integer") return no_args(), v.is_int();
    if (name == "float") return no_args(), v.is_float();
    if (name == "callable") return no_args(), v.is_callable();
    if (name == "lower") return no_args(), has_only_case(v, false);
    if (name == "upper") return no_args(), has_only_case(v, true);
    if (name == "escaped") return no_args(), false;
    if (name == "even" || name == "odd") {
        no_args();
        if (!v.is_number()) {
            throw TemplateError("unsupported operand type(s) for %: '" + v.type_name() +
                                "' and 'int'");
        }
        bool even = v.is_float() ? std::fmod(v.as_double(), 2.0) == 0.0 : v.as_int() % 2 == 0;
        bool odd =
            v.is_float() ? std::fabs(std::fmod(v.as_double(), 2.0)) == 1.0 : v.as_int() % 2 != 0;
        return name == "even" ? even : odd;
    }
    if (name == "divisibleby") {
        Value d = one_arg(name, args);
        Value rem = binary_operation("%", v, d, 1 << 20);
        return values_equal(rem, Value::integer(0));
    }
    if (name == "equalto" || name == "eq" || name == "==")
        return values_equal(v, one_arg(name, args));
    if (name == "ne" || name == "!=") return !values_equal(v, one_arg(name, args));
    if (name == "lt" || name == "lessthan" || name == "<")
        return compare_values(v, one_arg(name, args)) < 0;
    if (name == "le" || name == "<=") return compare_values(v, one_arg(name, args)) <= 0;
    if (name == "gt" || name == "greaterthan" || name == ">")
        return compare_values(v, one_arg(name, args)) > 0;
    if (name == "ge" || name == ">=") return compare_values(v, one_arg(name, args)) >= 0;
    if (name == "in") return contains(one_arg(name, args), v);
    if (name == "sameas") {
        Value other = one_arg(name, args);
        // Identity: singletons compare by value; containers by the object they share.
        if (v.kind() != other.kind()) return false;
        switch (v.kind()) {
            case Kind::None:
            case Kind::Undefined:
                return true;
            case Kind::Bool:
                return v.as_bool() == other.as_bool();
            case Kind::List:
                return &v.list_data() == &other.list_data();
            case Kind::Dict:
            case Kind::Namespace:
                return &v.dict_data() == &other.dict_data();
            default:
                return values_equal(v, other);
        }
    }
    throw TemplateError("no test named '" + name + "'");
}

}  // namespace lamina::chat::jinja
