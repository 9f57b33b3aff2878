// Binding of call arguments to Python-style parameters, for filters, tests, methods and globals.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "chat/jinja_value.h"

namespace lamina::chat::jinja {

// Reads a call's arguments by position or keyword against a parameter list, as Python binds
// them; unknown keywords and surplus positionals are errors naming the function.
class ArgBinder {
  public:
    // With `allow_extra_positional`, positionals beyond `params` are kept for rest().
    ArgBinder(std::string_view function, const CallArgs& args,
              std::initializer_list<const char*> params, bool allow_extra_positional = false);
    // The argument for parameter `index`, or `fallback` when not given.
    Value get(size_t index, Value fallback = Value()) const;
    bool has(size_t index) const;
    // Positional arguments beyond the named parameters (for *args functions), when allowed.
    std::vector<Value> rest() const;

  private:
    std::string function_;
    const CallArgs& args_;
    std::vector<std::string> params_;
};

}  // namespace lamina::chat::jinja
