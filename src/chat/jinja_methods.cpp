// Python methods of dict and list values, and the lookup of any value's method by name.
#include "chat/jinja_methods.h"

#include <algorithm>
#include <array>

#include "chat/jinja_args.h"
#include "chat/jinja_error.h"
#include "chat/jinja_interpreter.h"
#include "chat/jinja_string_methods.h"

namespace lamina::chat::jinja {
namespace {

Value dict_get(Interpreter&, const Value& self, CallArgs& args) {
    ArgBinder a("get", args, {"key", "default"});
    const Value* v = self.dict_data().find(a.get(0));
    return v ? *v : a.get(1, Value::none());
}

Value dict_items(Interpreter&, const Value& self, CallArgs& args) {
    ArgBinder("items", args, {});
    std::vector<Value> items;
    for (const auto& [k, v] : self.dict_data().entries) items.push_back(Value::tuple({k, v}));
    return Value::list(std::move(items));
}

Value dict_keys(Interpreter&, const Value& self, CallArgs& args) {
    ArgBinder("keys", args, {});
    std::vector<Value> items;
    for (const auto& [k, v] : self.dict_data().entries) items.push_back(k);
    return Value::list(std::move(items));
}

Value dict_values(Interpreter&, const Value& self, CallArgs& args) {
    ArgBinder("values", args, {});
    std::vector<Value> items;
    for (const auto& [k, v] : self.dict_data().entries) items.push_back(v);
    return Value::list(std::move(items));
}

Value dict_copy(Interpreter&, const Value& self, CallArgs& args) {
    ArgBinder("copy", args, {});
    Value copy = Value::dict();
    copy.dict_data().entries = self.dict_data().entries;
    copy.dict_data().depth = self.dict_data().depth;
    return copy;
}

Value list_index(Interpreter&, const Value& self, CallArgs& args) {
    ArgBinder a("index", args, {"value"});
    const auto& items = self.list_data().items;
    for (size_t i = 0; i < items.size(); ++i) {
        if (values_equal(items[i], a.get(0))) return Value::integer(static_cast<int64_t>(i));
    }
    throw TemplateError(a.get(0).repr() + " is not in list");
}

Value list_count(Interpreter&, const Value& self, CallArgs& args) {
    ArgBinder a("count", args, {"value"});
    int64_t n = 0;
    for (const Value& v : self.list_data().items) n += values_equal(v, a.get(0)) ? 1 : 0;
    return Value::integer(n);
}

struct MethodEntry {
    const char* name;
    MethodFn fn;
};

constexpr std::array kDictMethods{
    MethodEntry{"get", dict_get},   MethodEntry{"items", dict_items},
    MethodEntry{"keys", dict_keys}, MethodEntry{"values", dict_values},
    MethodEntry{"copy", dict_copy},
};

constexpr std::array kListMethods{MethodEntry{"index", list_index},
                                  MethodEntry{"count", list_count}};

// Methods the immutable sandbox refuses: they exist (so `x.append` is defined) but fail.
constexpr std::array kUnsafeDictMethods{"pop", "popitem", "setdefault", "update", "clear"};
constexpr std::array kUnsafeListMethods{"append", "pop",  "extend",  "insert",
                                        "remove", "sort", "reverse", "clear"};

template <size_t N>
MethodFn lookup(const std::array<MethodEntry, N>& table, const std::string& name) {
    for (const MethodEntry& m : table) {
        if (name == m.name) return m.fn;
    }
    return nullptr;
}

template <size_t N>
bool listed(const std::array<const char*, N>& names, const std::string& name) {
    return std::any_of(names.begin(), names.end(), [&](const char* n) { return name == n; });
}

}  // namespace

Value get_method(const Value& obj, const std::string& name) {
    MethodFn fn = nullptr;
    if (obj.is_string()) {
        fn = find_string_method(name);
    } else if (obj.is_dict()) {
        fn = lookup(kDictMethods, name);
        if (!fn && listed(kUnsafeDictMethods, name)) {
            return Value::callable(name, [name](Interpreter&, CallArgs&) -> Value {
                throw TemplateError("access to attribute '" + name +
                                    "' of 'dict' object is unsafe.");
            });
        }
    } else if (obj.is_list()) {
        fn = lookup(kListMethods, name);
        if (!fn && !obj.list_data().is_tuple && listed(kUnsafeListMethods, name)) {
            return Value::callable(name, [name](Interpreter&, CallArgs&) -> Value {
                throw TemplateError("access to attribute '" + name +
                                    "' of 'list' object is unsafe.");
            });
        }
    }
    if (!fn) return Value::undefined();
    return Value::callable(
        name, [fn, obj](Interpreter& in, CallArgs& args) { return fn(in, obj, args); });
}

}  // namespace lamina::chat::jinja
