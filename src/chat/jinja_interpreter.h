// Jinja interpreter: renders a parsed template against variables, with step and depth limits.
#pragma once

#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "chat/jinja_ast.h"
#include "chat/jinja_value.h"

namespace lamina::chat::jinja {

// Limits that stop runaway templates with an error instead of hanging or exhausting memory.
struct RenderLimits {
    // Statements and expressions evaluated. Some real templates are quadratic in the
    // conversation (Gemma 4 takes about 2M steps for 1000 messages); a step costs ~35 ns.
    int64_t max_steps = 50'000'000;
    int max_call_depth = 100;             // nested macro calls
    size_t max_output_bytes = 64u << 20;  // any one string the template builds
};

struct RenderOptions {
    RenderLimits limits;
    // The local time strftime_now() formats; the real clock when empty.
    std::optional<std::tm> fixed_now;
};

// A scope of variables: the template's top level, a for loop's body or a macro call.
struct Frame {
    std::unordered_map<std::string, Value> vars;
    std::shared_ptr<Frame> parent;
    const Value* find(const std::string& name) const;
};

class Interpreter {
  public:
    explicit Interpreter(RenderOptions options);
    ~Interpreter();
    Interpreter(const Interpreter&) = delete;
    Interpreter& operator=(const Interpreter&) = delete;

    // Renders `program` with `variables` (name -> value) as the top-level scope; throws
    // TemplateError on failure (see render_chat_template for the catching side).
    std::string render(const Program& program, std::unordered_map<std::string, Value> variables);

    // Calls any callable value (global function, bound method, macro).
    Value call(const Value& callee, CallArgs& args);
    // Counts one unit of work and fails once the step limit is passed.
    void step();
    // Fails when a string would exceed the output limit.
    void check_size(size_t bytes) const;
    const RenderOptions& options() const { return options_; }
    // The line and column of the construct being evaluated, for error messages.
    int current_line() const { return line_; }
    int current_column() const { return column_; }
    // A new namespace object; the interpreter clears them all at the end, breaking any cycles.
    Value make_namespace();
    // Runs a macro's body with `args` bound to its parameters (called through the macro's
    // callable value); its scope's parent is the scope it was defined in, while that lives.
    Value call_macro(const Stmt& macro, const std::weak_ptr<Frame>& defined_in, CallArgs& args);

  private:
    enum class Flow { Normal, Break, Continue };

    Flow exec_body(const Body& body, const std::shared_ptr<Frame>& frame, std::string& out);
    Flow exec(const Stmt& stmt, const std::shared_ptr<Frame>& frame, std::string& out);
    void exec_for(const Stmt& stmt, const std::shared_ptr<Frame>& frame, std::string& out);
    void exec_set(const Stmt& stmt, Frame& frame, Value value);
    Value define_macro(const Stmt& stmt, const std::shared_ptr<Frame>& frame);
    std::string render_block(const Body& body, const std::shared_ptr<Frame>& frame);

    Value eval(const Expr& expr, const std::shared_ptr<Frame>& frame,
               const Value* block_value = nullptr);
    Value eval_call(const Expr& expr, const std::shared_ptr<Frame>& frame, const Value* caller);
    CallArgs eval_args(const Expr& expr, size_t first_child, const std::shared_ptr<Frame>& frame);
    void locate(int line, int column) {
        line_ = line;
        column_ = column;
    }

    RenderOptions options_;
    std::shared_ptr<Frame> root_;
    std::vector<Value> namespaces_;
    int64_t steps_ = 0;
    int call_depth_ = 0;
    int eval_depth_ = 0;  // nested exec/eval calls on the C++ stack
    int line_ = 0;
    int column_ = 0;
};

}  // namespace lamina::chat::jinja
