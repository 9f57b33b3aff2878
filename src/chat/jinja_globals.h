// Jinja globals: the functions every template can call (range, namespace, dict,
// raise_exception, strftime_now).
#pragma once

#include <string>
#include <unordered_map>

#include "chat/jinja_value.h"

namespace lamina::chat::jinja {

// Adds the global functions to `scope` (without replacing variables already there).
void add_globals(std::unordered_map<std::string, Value>& scope);

}  // namespace lamina::chat::jinja
