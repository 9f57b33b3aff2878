// Jinja filters over sequences and mappings: select/reject(attr), map, sort, dictsort, unique,
// min/max, join, first/last, sum, items, list.
#include "chat/jinja_sequence_filters.h"

#include <algorithm>
#include <array>
#include <cstdlib>

#include "chat/jinja_args.h"
#include "chat/jinja_error.h"
#include "chat/jinja_filters.h"
#include "chat/jinja_interpreter.h"
#include "chat/jinja_operators.h"
#include "chat/jinja_tests.h"
#include "chat/jinja_unicode.h"

namespace lamina::chat::jinja {
namespace {

// jinja2's attribute getter: "a.b.0" looks up each dotted part as an item, then attribute.
Value lookup_path(const Value& item, const Value& path) {
    if (path.is_number()) return get_item(item, path);
    Value current = item;
    const std::string p = path.to_str();
    size_t start = 0;
    while (true) {
        size_t dot = p.find('.', start);
        std::string part =
            p.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        bool numeric = !part.empty() && part.find_first_not_of("0123456789") == std::string::npos;
        current =
            get_item(current, numeric ? Value::integer(std::strtoll(part.c_str(), nullptr, 10))
                                      : Value::string(part));
        if (dot == std::string::npos) return current;
        start = dot + 1;
    }
}

// The key values are sorted and compared by: lower-cased strings unless case-sensitive.
Value sort_key(const Value& v, bool case_sensitive) {
    if (!case_sensitive && v.is_string()) return Value::string(lower_utf8(v.as_string()));
    return v;
}

Value f_items(Interpreter&, const Value& v, CallArgs& args) {
    ArgBinder("items", args, {});
    if (v.is_undefined()) return Value::list();
    if (!v.is_dict()) throw TemplateError("Can only get item pairs from a mapping.");
    std::vector<Value> items;
    for (const auto& [k, x] : v.dict_data().entries) items.push_back(Value::tuple({k, x}));
    return Value::list(std::move(items));
}

Value f_join(Interpreter& in, const Value& v, CallArgs& args) {
    ArgBinder a("join", args, {"d", "attribute"});
    std::string sep = a.get(0, Value::string("")).to_str();
    Value attribute = a.get(1, Value::none());
    std::string out;
    bool first = true;
    for (const Value& item : iterate(v)) {
        if (!first) out += sep;
        first = false;
        out += (attribute.is_none() ? item : lookup_path(item, attribute)).to_str();
        in.check_size(out.size());
    }
    return Value::string(std::move(out));
}

Value f_list(Interpreter&, const Value& v, CallArgs& args) {
    ArgBinder("list", args, {});
    return Value::list(iterate(v));
}

// select/reject and selectattr/rejectattr: keep items whose (attribute's) test result is `keep`.
Value select_items(Interpreter& in, const Value& v, CallArgs& args, bool keep, bool by_attribute) {
    std::vector<Value> positional = args.positional;
    size_t first = 0;
    Value attribute;
    if (by_attribute) {
        if (positional.empty())
            throw TemplateError("selectattr() missing required argument 'attribute'");
        attribute = positional[0];
        first = 1;
    }
    std::string test_name;
    if (positional.size() > first) test_name = positional[first].to_str();
    CallArgs test_args;
    if (positional.size() > first + 1)
        test_args.positional.assign(positional.begin() + static_cast<std::ptrdiff_t>(first + 1),
                                    positional.end());
    test_args.keyword = args.keyword;
    std::vector<Value> out;
    if (!v.truthy()) return Value::list();  // jinja2 selects nothing from a false value (none)
    for (const Value& item : iterate(v)) {
        in.step();
        Value subject = by_attribute ? lookup_path(item, attribute) : item;
        bool result;
        if (test_name.empty()) {
            result = subject.truthy();
        } else {
            CallArgs call = test_args;
            result = apply_test(in, test_name, subject, call);
        }
        if (result == keep) out.push_back(item);
    }
    return Value::list(std::move(out));
}

Value f_select(Interpreter& in, const Value& v, CallArgs& a) {
    return select_items(in, v, a, true, false);
}
Value f_reject(Interpreter& in, const Value& v, CallArgs& a) {
    return select_items(in, v, a, false, false);
}
Value f_selectattr(Interpreter& in, const Value& v, CallArgs& a) {
    return select_items(in, v, a, true, true);
}
Value f_rejectattr(Interpreter& in, const Value& v, CallArgs& a) {
    return select_items(in, v, a, false, true);
}

Value f_map(Interpreter& in, const Value& v, CallArgs& args) {
    std::vector<Value> out;
    const Value* attribute = nullptr;
    Value fallback;
    for (const auto& [k, x] : args.keyword) {
        if (k == "attribute")
            attribute = &x;
        else if (k == "default")
            fallback = x;
    }
    if (!v.truthy()) return Value::list();  // jinja2 maps nothing over a false value (none)
    if (attribute) {
        for (const Value& item : iterate(v)) {
            Value r = lookup_path(item, *attribute);
            out.push_back(r.is_undefined() && !fallback.is_undefined() ? fallback : r);
        }
        return Value::list(std::move(out));
    }
    if (args.positional.empty()) throw TemplateError("map() requires a filter name or attribute=");
    std::string filter = args.positional[0].to_str();
    CallArgs filter_args;
    filter_args.positional.assign(args.positional.begin() + 1, args.positional.end());
    filter_args.keyword = args.keyword;
    for (const Value& item : iterate(v)) {
        in.step();
        CallArgs call = filter_args;
        out.push_back(apply_filter(in, filter, item, call));
    }
    return Value::list(std::move(out));
}

Value f_dictsort(Interpreter&, const Value& v, CallArgs& args) {
    ArgBinder a("dictsort", args, {"case_sensitive", "by", "reverse"});
    if (!v.is_dict())
        throw TemplateError("You can only sort by either \"key\" or \"value\" of a dict");
    bool case_sensitive = a.get(0, Value::boolean(false)).truthy();
    std::string by = a.get(1, Value::string("key")).to_str();
    if (by != "key" && by != "value")
        throw TemplateError("You can only sort by either \"key\" or \"value\"");
    bool reverse = a.get(2, Value::boolean(false)).truthy();
    std::vector<Value> items;
    for (const auto& [k, x] : v.dict_data().entries) items.push_back(Value::tuple({k, x}));
    size_t index = by == "key" ? 0 : 1;
    std::stable_sort(items.begin(), items.end(), [&](const Value& x, const Value& y) {
        int c = compare_values(sort_key(x.list_data().items[index], case_sensitive),
                               sort_key(y.list_data().items[index], case_sensitive));
        return reverse ? c > 0 : c < 0;
    });
    return Value::list(std::move(items));
}

Value min_max(const Value& v, CallArgs& args, const char* name, bool want_max) {
    ArgBinder a(name, args, {"case_sensitive", "attribute"});
    bool case_sensitive = a.get(0, Value::boolean(false)).truthy();
    Value attribute = a.get(1, Value::none());
    std::vector<Value> items = iterate(v);
    if (items.empty()) return Value::undefined("No aggregated item, sequence was empty.");
    const Value* best = &items[0];
    auto key = [&](const Value& x) {
        return sort_key(attribute.is_none() ? x : lookup_path(x, attribute), case_sensitive);
    };
    for (const Value& item : items) {
        int c = compare_values(key(item), key(*best));
        if (want_max ? c > 0 : c < 0) best = &item;
    }
    return *best;
}
Value f_min(Interpreter&, const Value& v, CallArgs& args) {
    return min_max(v, args, "min", false);
}
Value f_max(Interpreter&, const Value& v, CallArgs& args) {
    return min_max(v, args, "max", true);
}

Value f_sort(Interpreter&, const Value& v, CallArgs& args) {
    ArgBinder a("sort", args, {"reverse", "case_sensitive", "attribute"});
    bool reverse = a.get(0, Value::boolean(false)).truthy();
    bool case_sensitive = a.get(1, Value::boolean(false)).truthy();
    Value attribute = a.get(2, Value::none());
    std::vector<Value> items = iterate(v);
    auto key = [&](const Value& x) {
        return sort_key(attribute.is_none() ? x : lookup_path(x, attribute), case_sensitive);
    };
    std::stable_sort(items.begin(), items.end(), [&](const Value& x, const Value& y) {
        int c = compare_values(key(x), key(y));
        return reverse ? c > 0 : c < 0;
    });
    return Value::list(std::move(items));
}

Value f_unique(Interpreter&, const Value& v, CallArgs& args) {
    ArgBinder a("unique", args, {"case_sensitive", "attribute"});
    bool case_sensitive = a.get(0, Value::boolean(false)).truthy();
    Value attribute = a.get(1, Value::none());
    std::vector<Value> out, seen;
    for (const Value& item : iterate(v)) {
        Value k =
            sort_key(attribute.is_none() ? item : lookup_path(item, attribute), case_sensitive);
        if (std::none_of(seen.begin(), seen.end(),
                         [&](const Value& s) { return values_equal(s, k); })) {
            seen.push_back(k);
            out.push_back(item);
        }
    }
    return Value::list(std::move(out));
}

Value f_first(Interpreter&, const Value& v, CallArgs& args) {
    ArgBinder("first", args, {});
    std::vector<Value> items = iterate(v);
    return items.empty() ? Value::undefined("No first item, sequence was empty.") : items.front();
}

Value f_last(Interpreter&, const Value& v, CallArgs& args) {
    ArgBinder("last", args, {});
    std::vector<Value> items = iterate(v);
    return items.empty() ? Value::undefined("No last item, sequence was empty.") : items.back();
}

Value f_reverse(Interpreter&, const Value& v, CallArgs& args) {
    ArgBinder("reverse", args, {});
    std::vector<Value> items = iterate(v);
    std::reverse(items.begin(), items.end());
    if (!v.is_string()) return Value::list(std::move(items));
    std::string out;
    for (const Value& c : items) out += c.as_string();
    return Value::string(std::move(out));
}

Value f_sum(Interpreter&, const Value& v, CallArgs& args) {
    ArgBinder a("sum", args, {"attribute", "start"});
    Value attribute = a.get(0, Value::none());
    Value total = a.get(1, Value::integer(0));
    for (const Value& item : iterate(v)) {
        total = binary_operation(
            "+", total, attribute.is_none() ? item : lookup_path(item, attribute), 1u << 26);
    }
    return total;
}

struct FilterEntry {
    const char* name;
    FilterFn fn;
};

constexpr std::array kSequenceFilters{
    FilterEntry{"items", f_items},
    FilterEntry{"join", f_join},
    FilterEntry{"list", f_list},
    FilterEntry{"select", f_select},
    FilterEntry{"reject", f_reject},
    FilterEntry{"selectattr", f_selectattr},
    FilterEntry{"rejectattr", f_rejectattr},
    FilterEntry{"map", f_map},
    FilterEntry{"dictsort", f_dictsort},
    FilterEntry{"min", f_min},
    FilterEntry{"max", f_max},
    FilterEntry{"sort", f_sort},
    FilterEntry{"unique", f_unique},
    FilterEntry{"first", f_first},
    FilterEntry{"last", f_last},
    FilterEntry{"reverse", f_reverse},
    FilterEntry{"sum", f_sum},
};

}  // namespace

FilterFn find_sequence_filter(const std::string& name) {
    for (const FilterEntry& f : kSequenceFilters) {
        if (name == f.name) return f.fn;
    }
    return nullptr;
}

}  // namespace lamina::chat::jinja
