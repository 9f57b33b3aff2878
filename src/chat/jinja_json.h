// JSON and Jinja values: messages and tools come in as JSON; `tojson` writes Python's json.dumps.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "chat/jinja_value.h"

namespace lamina::chat::jinja {

// A JSON document as a template value, objects keeping their key order.
Value value_from_json(const nlohmann::ordered_json& json);

// The arguments of Python's json.dumps that tojson passes through.
struct JsonDumpOptions {
    bool ensure_ascii = false;
    std::optional<std::string> indent;  // none: one line
    std::string item_separator = ", ";
    std::string key_separator = ": ";
    bool sort_keys = false;
};

// json.dumps(value, ...) as Python writes it; throws TemplateError for values JSON cannot hold.
std::string dump_json(const Value& value, const JsonDumpOptions& options);

}  // namespace lamina::chat::jinja
