// Jinja errors: thrown inside the engine and turned into an error outcome at its public API.
#pragma once

#include <stdexcept>
#include <string>

namespace lamina::chat::jinja {

// A failure to lex, parse or render. `line`/`column` are 1-based, 0 when unknown. A template's
// own raise_exception() sets `from_template`, and then `what()` is its message verbatim.
class TemplateError : public std::runtime_error {
  public:
    explicit TemplateError(const std::string& message, int line = 0, int column = 0,
                           bool from_template = false)
        : std::runtime_error(message),
          line_(line),
          column_(column),
          from_template_(from_template) {}
    int line() const { return line_; }
    int column() const { return column_; }
    bool from_template() const { return from_template_; }

  private:
    int line_;
    int column_;
    bool from_template_;
};

}  // namespace lamina::chat::jinja
