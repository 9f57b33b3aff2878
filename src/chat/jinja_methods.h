// Python methods of str, dict and list values (`s.strip()`, `d.items()`, `d.get(k)`...).
#pragma once

#include <string>

#include "chat/jinja_value.h"

namespace lamina::chat::jinja {

// The method `name` of `obj` bound to it, or Undefined when the type has no such method.
// Methods that would modify a list or dict exist but fail when called, as in jinja2's
// immutable sandbox.
Value get_method(const Value& obj, const std::string& name);

}  // namespace lamina::chat::jinja
