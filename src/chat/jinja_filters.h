// Jinja filters: the `value | name(args)` functions (tojson, trim, join, map, selectattr...).
#pragma once

#include <string>

#include "chat/jinja_value.h"

namespace lamina::chat::jinja {

// Applies filter `name` to `value`; throws TemplateError naming an unknown filter.
Value apply_filter(Interpreter& interpreter, const std::string& name, const Value& value,
                   CallArgs& args);

}  // namespace lamina::chat::jinja
