// Jinja parser: builds the syntax tree of a template from its tokens.
#pragma once

#include <string_view>

#include "chat/jinja_ast.h"

namespace lamina::chat::jinja {

// Lexes and parses `source`; throws TemplateError naming the line and column of a syntax error.
Program parse_template(std::string_view source);

}  // namespace lamina::chat::jinja
