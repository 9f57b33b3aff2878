// Python string formatting for templates: the `%` operator, str.format() and strftime.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

#include "chat/jinja_value.h"

namespace lamina::chat::jinja {

// `format % args` (printf style: %s %r %d %i %f %e %g %x %o %c %%, flags, width, precision,
// and %(name)s with a dict). Throws TemplateError on a mismatch, as Python raises.
std::string percent_format(std::string_view format, const Value& args, size_t max_bytes);

// `format.format(*args, **kwargs)`: {} {0} {name} {name.attr} {0[key]}, !r/!s, and format specs
// with fill, alignment, sign, width, precision and the types s d f e g x o b %.
std::string str_format(std::string_view format, const CallArgs& args, size_t max_bytes);

// Markup's escaping: & < > " ' become entities.
std::string escape_html(std::string_view s);

// Python's strftime of `time` (via the C library, as Python's is).
std::string format_time(std::string_view format, const std::tm& time);

}  // namespace lamina::chat::jinja
