// Jinja globals: range (capped as jinja2's sandbox caps it), namespace, dict, Hugging Face's
// raise_exception and strftime_now.
#include "chat/jinja_globals.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>

#include "chat/jinja_args.h"
#include "chat/jinja_error.h"
#include "chat/jinja_format.h"
#include "chat/jinja_interpreter.h"

namespace lamina::chat::jinja {
namespace {

// jinja2's sandbox refuses ranges longer than this.
constexpr int64_t kMaxRange = 100000;

Value g_range(Interpreter&, CallArgs& args) {
    if (!args.keyword.empty()) throw TemplateError("range() takes no keyword arguments");
    const auto& p = args.positional;
    if (p.empty() || p.size() > 3)
        throw TemplateError("range expected 1 to 3 arguments, got " + std::to_string(p.size()));
    for (const Value& v : p) {
        if (!v.is_number() || v.is_float())
            throw TemplateError("'" + v.type_name() +
                                "' object cannot be interpreted as an integer");
    }
    int64_t start = p.size() == 1 ? 0 : p[0].as_int();
    int64_t stop = p.size() == 1 ? p[0].as_int() : p[1].as_int();
    int64_t step = p.size() == 3 ? p[2].as_int() : 1;
    if (step == 0) throw TemplateError("range() arg 3 must not be zero");
    // Count first (in floating point, to avoid overflow) so no huge range is ever built.
    double count = step > 0 ? std::ceil((static_cast<double>(stop) - static_cast<double>(start)) /
                                        static_cast<double>(step))
                            : std::ceil((static_cast<double>(start) - static_cast<double>(stop)) /
                                        static_cast<double>(-step));
    if (count > static_cast<double>(kMaxRange)) {
        throw TemplateError(
            "Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
    }
    std::vector<Value> items;
    items.reserve(static_cast<size_t>(std::max(count, 0.0)));
    for (int64_t i = start; step > 0 ? i < stop : i > stop;) {
        items.push_back(Value::integer(i));
        if (static_cast<int64_t>(items.size()) >= kMaxRange || __builtin_add_overflow(i, step, &i))
            break;
    }
    return Value::list(std::move(items));
}

Value g_namespace(Interpreter& in, CallArgs& args) {
    Value ns = in.make_namespace();
    for (const Value& v : args.positional) {
        if (!v.is_dict()) throw TemplateError("namespace() positional argument must be a dict");
        for (const auto& [k, x] : v.dict_data().entries) ns.dict_data().set(k, x);
    }
    for (const auto& [k, x] : args.keyword) ns.dict_data().set(Value::string(k), x);
    return ns;
}

Value g_dict(Interpreter&, CallArgs& args) {
    Value d = Value::dict();
    for (const Value& v : args.positional) {
        if (!v.is_dict()) throw TemplateError("dict() positional argument must be a dict");
        for (const auto& [k, x] : v.dict_data().entries) d.dict_data().set(k, x);
    }
    for (const auto& [k, x] : args.keyword) d.dict_data().set(Value::string(k), x);
    return d;
}

Value g_raise_exception(Interpreter&, CallArgs& args) {
    ArgBinder a("raise_exception", args, {"message"});
    throw TemplateError(a.get(0, Value::string("")).to_str(), 0, 0, /*from_template=*/true);
}

Value g_strftime_now(Interpreter& in, CallArgs& args) {
    ArgBinder a("strftime_now", args, {"format"});
    std::tm now{};
    if (in.options().fixed_now) {
        now = *in.options().fixed_now;
    } else {
        std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
        localtime_r(&t, &now);
    }
    return Value::string(format_time(a.get(0, Value::string("")).to_str(), now));
}

}  // namespace

void add_globals(std::unordered_map<std::string, Value>& scope) {
    scope.try_emplace("range", Value::callable("range", g_range));
    scope.try_emplace("namespace", Value::callable("namespace", g_namespace));
    scope.try_emplace("dict", Value::callable("dict", g_dict));
    scope.try_emplace("raise_exception", Value::callable("raise_exception", g_raise_exception));
    scope.try_emplace("strftime_now", Value::callable("strftime_now", g_strftime_now));
}

}  // namespace lamina::chat::jinja
