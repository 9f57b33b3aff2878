// Jinja filters over sequences and mappings (select, map, sort, dictsort, join...), by name.
#pragma once

#include <string>

#include "chat/jinja_value.h"

namespace lamina::chat::jinja {

// A filter implementation: the filtered value and the call's arguments.
using FilterFn = Value (*)(Interpreter&, const Value&, CallArgs&);

// The sequence filter `name`, or null when there is none of that name.
FilterFn find_sequence_filter(const std::string& name);

}  // namespace lamina::chat::jinja
