// JSON and Jinja values: conversion from nlohmann's ordered JSON, and Python's json.dumps.
#include "chat/jinja_json.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "chat/jinja_error.h"
#include "chat/jinja_operators.h"
#include "chat/jinja_unicode.h"

namespace lamina::chat::jinja {
namespace {

constexpr int kMaxJsonDepth = 200;

void dump_string(std::string& out, const std::string& s, bool ensure_ascii) {
    out += '"';
    size_t pos = 0;
    char buf[16];
    while (pos < s.size()) {
        size_t start = pos;
        char32_t cp = decode_utf8(s, pos);
        switch (cp) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                if (cp < 0x20 || (ensure_ascii && cp == 0x7f)) {
                    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
                    out += buf;
                } else if (ensure_ascii && cp >= 0x80) {
                    if (cp >= 0x10000) {
                        char32_t v = cp - 0x10000;
                        std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x",
                                      static_cast<unsigned>(0xd800 + (v >> 10)),
                                      static_cast<unsigned>(0xdc00 + (v & 0x3ff)));
                    } else {
                        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
                    }
                    out += buf;
                } else {
                    out.append(s, start, pos - start);
                }
        }
    }
    out += '"';
}

// Dict keys become strings as json.dumps converts them (None -> "null", True -> "true"...).
std::string key_text(const Value& key) {
    switch (key.kind()) {
        case Kind::String:
            return key.as_string();
        case Kind::None:
            return "null";
        case Kind::Bool:
            return key.as_bool() ? "true" : "false";
        case Kind::Int:
        case Kind::Float:
            return key.repr();
        default:
            throw TemplateError("keys must be str, int, float, bool or None, not " +
                                key.type_name());
    }
}

void dump(std::string& out, const Value& v, const JsonDumpOptions& o, int depth) {
    if (depth > kMaxJsonDepth) throw TemplateError("tojson: value nested too deeply");
    auto newline = [&](int level) {
        if (!o.indent) return;
        out += '\n';
        for (int i = 0; i < level; ++i) out += *o.indent;
    };
    switch (v.kind()) {
        case Kind::None:
            out += "null";
            return;
        case Kind::Bool:
            out += v.as_bool() ? "true" : "false";
            return;
        case Kind::Int:
            out += std::to_string(v.as_int());
            return;
        case Kind::Float: {
            double d = v.as_double();
            if (std::isnan(d))
                out += "NaN";
            else if (std::isinf(d))
                out += d < 0 ? "-Infinity" : "Infinity";
            else
                out += python_float_repr(d);
            return;
        }
        case Kind::String:
            dump_string(out, v.as_string(), o.ensure_ascii);
            return;
        case Kind::List: {
            const auto& items = v.list_data().items;
            if (items.empty()) {
                out += "[]";
                return;
            }
            out += '[';
            for (size_t i = 0; i < items.size(); ++i) {
                if (i) out += o.item_separator;
                newline(depth + 1);
                dump(out, items[i], o, depth + 1);
            }
            newline(depth);
            out += ']';
            return;
        }
        case Kind::Dict: {
            std::vector<const std::pair<Value, Value>*> entries;
            for (const auto& e : v.dict_data().entries) entries.push_back(&e);
            if (entries.empty()) {
                out += "{}";
                return;
            }
            if (o.sort_keys) {
                std::stable_sort(entries.begin(), entries.end(), [](auto* a, auto* b) {
                    return compare_values(a->first, b->first) < 0;
                });
            }
            out += '{';
            for (size_t i = 0; i < entries.size(); ++i) {
                if (i) out += o.item_separator;
                newline(depth + 1);
                dump_string(out, key_text(entries[i]->first), o.ensure_ascii);
                out += o.key_separator;
                dump(out, entries[i]->second, o, depth + 1);
            }
            newline(depth);
            out += '}';
            return;
        }
        default:
            throw TemplateError("Object of type " + v.type_name() + " is not JSON serializable");
    }
}

}  // namespace

namespace {

Value from_json(const nlohmann::ordered_json& json, int depth) {
    if (depth > kMaxValueDepth) throw TemplateError("JSON input nested too deeply");
    using nlohmann::ordered_json;
    switch (json.type()) {
        case ordered_json::value_t::null:
            return Value::none();
        case ordered_json::value_t::boolean:
            return Value::boolean(json.get<bool>());
        case ordered_json::value_t::number_integer:
            return Value::integer(json.get<int64_t>());
        case ordered_json::value_t::number_unsigned: {
            uint64_t u = json.get<uint64_t>();
            if (u > static_cast<uint64_t>(INT64_MAX))
                return Value::floating(static_cast<double>(u));
            return Value::integer(static_cast<int64_t>(u));
        }
        case ordered_json::value_t::number_float:
            return Value::floating(json.get<double>());
        case ordered_json::value_t::string:
            return Value::string(json.get<std::string>());
        case ordered_json::value_t::array: {
            std::vector<Value> items;
            for (const auto& item : json) items.push_back(from_json(item, depth + 1));
            return Value::list(std::move(items));
        }
        case ordered_json::value_t::object: {
            Value dict = Value::dict();
            // JSON object keys are already unique, so entries are appended without a lookup.
            for (const auto& [k, item] : json.items()) {
                Value v = from_json(item, depth + 1);
                dict.dict_data().depth = std::max(dict.dict_data().depth, v.nesting() + 1);
                dict.dict_data().entries.emplace_back(Value::string(k), std::move(v));
            }
            return dict;
        }
        default:
            return Value::none();
    }
}

}  // namespace

Value value_from_json(const nlohmann::ordered_json& json) {
    return from_json(json, 0);
}

std::string dump_json(const Value& value, const JsonDumpOptions& options) {
    std::string out;
    dump(out, value, options, 0);
    return out;
}

}  // namespace lamina::chat::jinja
