// Jinja operators with Python's semantics: arithmetic, comparison, membership, attribute and
// item access, slicing and iteration.
#pragma once

#include <string>
#include <vector>

#include "chat/jinja_value.h"

namespace lamina::chat::jinja {

// `a op b` for + - * / // % ** ~ == != < <= > >= in, "not in". Throws TemplateError with
// Python's message on a type error; `max_bytes` caps strings and lists it builds.
Value binary_operation(const std::string& op, const Value& a, const Value& b, size_t max_bytes);

// Python's ordering (<0, 0, >0) of two numbers, strings or sequences; throws when unordered.
int compare_values(const Value& a, const Value& b);

// `item in container`.
bool contains(const Value& container, const Value& item);

// `obj.name` as jinja2 resolves it: a method or attribute first, then the item `name`.
Value get_attribute(const Value& obj, const std::string& name);
// `obj[key]`: the item first, then (for string keys) a method or attribute.
Value get_item(const Value& obj, const Value& key);
// `obj[start:stop:step]` (Undefined parts omitted) on lists, tuples and strings.
Value slice_value(const Value& obj, const Value& start, const Value& stop, const Value& step);

// The items a for loop or list() sees: list items, dict keys, string characters; Undefined is
// empty. Throws for values that are not iterable.
std::vector<Value> iterate(const Value& value);

// The message of the error raised when an Undefined is used where a value is needed.
std::string undefined_message(const Value& undefined);

}  // namespace lamina::chat::jinja
