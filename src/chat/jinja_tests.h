// Jinja tests: the `x is name(args)` predicates (defined, string, mapping, equalto...).
#pragma once

#include <string>

#include "chat/jinja_value.h"

namespace lamina::chat::jinja {

// Applies test `name` to `value`; throws TemplateError naming an unknown test.
bool apply_test(Interpreter& interpreter, const std::string& name, const Value& value,
                CallArgs& args);

}  // namespace lamina::chat::jinja
