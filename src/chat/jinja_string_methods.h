// Python str methods for templates, looked up by name.
#pragma once

#include <string>

#include "chat/jinja_value.h"

namespace lamina::chat::jinja {

// A method implementation: the receiver and the call's arguments.
using MethodFn = Value (*)(Interpreter&, const Value& self, CallArgs& args);

// The str method `name`, or null when str has none.
MethodFn find_string_method(const std::string& name);

// Python's str.strip/lstrip/rstrip: `chars` None or Undefined means whitespace.
std::string strip_string(const std::string& s, const Value& chars, bool left, bool right);

}  // namespace lamina::chat::jinja
