// Jinja interpreter: executes statements and evaluates expressions over scopes of variables,
// counting steps and macro depth so runaway templates end in an error.
#include "chat/jinja_interpreter.h"

#include "chat/jinja_error.h"
#include "chat/jinja_filters.h"
#include "chat/jinja_globals.h"
#include "chat/jinja_operators.h"
#include "chat/jinja_tests.h"

namespace lamina::chat::jinja {

const Value* Frame::find(const std::string& name) const {
    for (const Frame* f = this; f; f = f->parent.get()) {
        auto it = f->vars.find(name);
        if (it != f->vars.end()) return &it->second;
    }
    return nullptr;
}

namespace {

// Nested statement and expression evaluations allowed on the C++ stack: far more than real
// templates need (macro recursion included), far less than the stack holds, also under ASan.
constexpr int kMaxEvalDepth = 1000;

// Counts one level of nesting for the lifetime of the object.
struct NestingGuard {
    int& depth;
    explicit NestingGuard(int& d) : depth(d) {
        if (++depth > kMaxEvalDepth) {
            --depth;
            throw TemplateError("template nested too deeply while rendering");
        }
    }
    ~NestingGuard() { --depth; }
};

}  // namespace

Interpreter::Interpreter(RenderOptions options) : options_(std::move(options)) {}

Interpreter::~Interpreter() {
    // Namespaces are the only mutable objects, so the only way to form reference cycles.
    for (Value& ns : namespaces_) ns.dict_data().entries.clear();
}

Value Interpreter::make_namespace() {
    Value ns = Value::namespace_object();
    namespaces_.push_back(ns);
    return ns;
}

void Interpreter::step() {
    if (++steps_ > options_.limits.max_steps) {
        throw TemplateError("template stopped after " + std::to_string(options_.limits.max_steps) +
                            " steps (step limit)");
    }
}

void Interpreter::check_size(size_t bytes) const {
    if (bytes > options_.limits.max_output_bytes) {
        throw TemplateError("template output exceeds the limit of " +
                            std::to_string(options_.limits.max_output_bytes) + " bytes");
    }
}

std::string Interpreter::render(const Program& program,
                                std::unordered_map<std::string, Value> variables) {
    add_globals(variables);
    root_ = std::make_shared<Frame>();
    root_->vars = std::move(variables);
    std::string out;
    try {
        exec_body(program.body, root_, out);
    } catch (const TemplateError& e) {
        if (e.from_template() || e.line() > 0 || line_ == 0) throw;
        throw TemplateError("line " + std::to_string(line_) + ", column " +
                                std::to_string(column_) + ": " + e.what(),
                            line_, column_);
    }
    return out;
}

Value Interpreter::call(const Value& callee, CallArgs& args) {
    if (callee.is_undefined()) throw TemplateError(undefined_message(callee));
    if (!callee.is_callable())
        throw TemplateError("'" + callee.type_name() + "' object is not callable");
    return callee.callable_data().fn(*this, args);
}

Interpreter::Flow Interpreter::exec_body(const Body& body, const std::shared_ptr<Frame>& frame,
                                         std::string& out) {
    for (const StmtPtr& stmt : body) {
        Flow flow = exec(*stmt, frame, out);
        if (flow != Flow::Normal) return flow;
    }
    return Flow::Normal;
}

std::string Interpreter::render_block(const Body& body, const std::shared_ptr<Frame>& frame) {
    std::string out;
    exec_body(body, frame, out);
    return out;
}

Interpreter::Flow Interpreter::exec(const Stmt& stmt, const std::shared_ptr<Frame>& frame,
                                    std::string& out) {
    NestingGuard nesting(eval_depth_);
    step();
    locate(stmt.line, stmt.column);
    switch (stmt.kind) {
        case StmtKind::Text:
            out += stmt.text;
            check_size(out.size());
            return Flow::Normal;
        case StmtKind::Output:
            out += eval(*stmt.expr, frame).to_str();
            check_size(out.size());
            return Flow::Normal;
        case StmtKind::If:
            for (const IfBranch& branch : stmt.branches) {
                if (eval(*branch.condition, frame).truthy())
                    return exec_body(branch.body, frame, out);
            }
            return exec_body(stmt.else_body, frame, out);
        case StmtKind::For:
            exec_for(stmt, frame, out);
            return Flow::Normal;
        case StmtKind::Set:
            exec_set(stmt, *frame, eval(*stmt.expr, frame));
            return Flow::Normal;
        case StmtKind::SetBlock: {
            Value value = Value::string(render_block(stmt.body, frame));
            for (const ExprPtr& filter : stmt.filters) value = eval(*filter, frame, &value);
            exec_set(stmt, *frame, std::move(value));
            return Flow::Normal;
        }
        case StmtKind::Macro:
            frame->vars[stmt.targets[0]] = define_macro(stmt, frame);
            return Flow::Normal;
        case StmtKind::FilterBlock: {
            Value value = Value::string(render_block(stmt.body, frame));
            for (const ExprPtr& filter : stmt.filters) value = eval(*filter, frame, &value);
            out += value.to_str();
            check_size(out.size());
            return Flow::Normal;
        }
        case StmtKind::CallBlock: {
            std::weak_ptr<Frame> weak = frame;
            const Body* body = &stmt.body;
            Value caller = Value::callable("caller", [this, weak, body](Interpreter&, CallArgs&) {
                auto f = weak.lock();
                return Value::string(render_block(*body, f ? f : root_));
            });
            out += eval_call(*stmt.expr, frame, &caller).to_str();
            check_size(out.size());
            return Flow::Normal;
        }
        case StmtKind::Break:
            return Flow::Break;
        case StmtKind::Continue:
            return Flow::Continue;
        case StmtKind::Generation:
            return exec_body(stmt.body, frame, out);
    }
    return Flow::Normal;
}

namespace {

void bind_targets(Frame& frame, const std::vector<std::string>& targets, const Value& value) {
    if (targets.size() == 1) {
        frame.vars[targets[0]] = value;
        return;
    }
    if (!value.is_list())
        throw TemplateError("cannot unpack non-iterable " + value.type_name() + " object");
    const auto& items = value.list_data().items;
    if (items.size() != targets.size()) {
        throw TemplateError(
            items.size() > targets.size()
                ? "too many values to unpack (expected " + std::to_string(targets.size()) + ")"
                : "not enough values to unpack (expected " + std::to_string(targets.size()) +
                      ", got " + std::to_string(items.size()) + ")");
    }
    for (size_t i = 0; i < targets.size(); ++i) frame.vars[targets[i]] = items[i];
}

// jinja2's `loop` is one object per loop that advances with it; so is this one: a dict whose
// values are updated in place each iteration (previtem/nextitem are Undefined where absent).
class LoopObject {
  public:
    explicit LoopObject(size_t length) : loop_(Value::dict()), index_(std::make_shared<size_t>(0)) {
        static const char* const keys[] = {"index",  "index0",   "revindex", "revindex0",
                                           "first",  "last",     "length",   "depth",
                                           "depth0", "previtem", "nextitem", "cycle"};
        for (const char* key : keys)
            loop_.dict_data().entries.emplace_back(Value::string(key), Value());
        entry(kLength) = Value::integer(static_cast<int64_t>(length));
        entry(kDepth) = Value::integer(1);
        entry(kDepth0) = Value::integer(0);
        std::shared_ptr<size_t> index = index_;
        entry(kCycle) = Value::callable("cycle", [index](Interpreter&, CallArgs& args) {
            if (args.positional.empty()) throw TemplateError("no items for cycling given");
            return args.positional[*index % args.positional.size()];
        });
    }

    const Value& value() const { return loop_; }

    void advance_to(const std::vector<Value>& items, size_t i) {
        *index_ = i;
        int64_t n = static_cast<int64_t>(items.size()), k = static_cast<int64_t>(i);
        entry(kIndex) = Value::integer(k + 1);
        entry(kIndex0) = Value::integer(k);
        entry(kRevindex) = Value::integer(n - k);
        entry(kRevindex0) = Value::integer(n - k - 1);
        entry(kFirst) = Value::boolean(k == 0);
        entry(kLast) = Value::boolean(k + 1 == n);
        entry(kPrevitem) = k > 0 ? items[i - 1] : Value::undefined("there is no previous item");
        entry(kNextitem) = k + 1 < n ? items[i + 1] : Value::undefined("there is no next item");
    }

  private:
    enum Key {
        kIndex,
        kIndex0,
        kRevindex,
        kRevindex0,
        kFirst,
        kLast,
        kLength,
        kDepth,
        kDepth0,
        kPrevitem,
        kNextitem,
        kCycle
    };
    Value& entry(Key key) { return loop_.dict_data().entries[key].second; }

    Value loop_;
    std::shared_ptr<size_t> index_;
};

}  // namespace

void Interpreter::exec_for(const Stmt& stmt, const std::shared_ptr<Frame>& frame,
                           std::string& out) {
    Value iterable = eval(*stmt.expr, frame);
    std::vector<Value> items = iterate(iterable);
    auto loop_frame = std::make_shared<Frame>();
    loop_frame->parent = frame;
    if (stmt.condition) {
        std::vector<Value> kept;
        for (const Value& item : items) {
            bind_targets(*loop_frame, stmt.targets, item);
            if (eval(*stmt.condition, loop_frame).truthy()) kept.push_back(item);
        }
        items = std::move(kept);
    }
    if (items.empty()) {
        exec_body(stmt.else_body, frame, out);
        return;
    }
    LoopObject loop(items.size());
    loop_frame->vars["loop"] = loop.value();
    for (size_t i = 0; i < items.size(); ++i) {
        step();
        bind_targets(*loop_frame, stmt.targets, items[i]);
        loop.advance_to(items, i);
        if (exec_body(stmt.body, loop_frame, out) == Flow::Break) break;
    }
}

void Interpreter::exec_set(const Stmt& stmt, Frame& frame, Value value) {
    if (stmt.target_attribute.empty()) {
        bind_targets(frame, stmt.targets, value);
        return;
    }
    const Value* target = frame.find(stmt.targets[0]);
    if (!target || !target->is_namespace())
        throw TemplateError("cannot assign attribute on non-namespace object");
    target->dict_data().set(Value::string(stmt.target_attribute), std::move(value));
}

Value Interpreter::define_macro(const Stmt& stmt, const std::shared_ptr<Frame>& frame) {
    std::weak_ptr<Frame> defined_in = frame;
    const Stmt* macro = &stmt;
    return Value::callable(stmt.targets[0], [macro, defined_in](Interpreter& in, CallArgs& args) {
        return in.call_macro(*macro, defined_in, args);
    });
}

Value Interpreter::call_macro(const Stmt& macro, const std::weak_ptr<Frame>& defined_in,
                              CallArgs& args) {
    struct DepthGuard {
        int& depth;
        ~DepthGuard() { --depth; }
    } guard{++call_depth_};
    if (call_depth_ > options_.limits.max_call_depth) {
        throw TemplateError("maximum recursion depth exceeded (" +
                            std::to_string(options_.limits.max_call_depth) +
                            " nested macro calls)");
    }
    const std::string& name = macro.targets[0];
    auto frame = std::make_shared<Frame>();
    frame->parent = defined_in.lock();
    if (!frame->parent) frame->parent = root_;
    // As in jinja2, arguments beyond the parameters are the macro's `varargs` (a tuple) and
    // `kwargs` (a dict); jinja2 only accepts them when the body uses those names, this
    // engine always does.
    std::vector<bool> given(macro.params.size(), false);
    std::vector<Value> varargs;
    Value kwargs = Value::dict();
    for (size_t i = 0; i < args.positional.size(); ++i) {
        if (i >= macro.params.size()) {
            varargs.push_back(args.positional[i]);
            continue;
        }
        frame->vars[macro.params[i].name] = args.positional[i];
        given[i] = true;
    }
    for (auto& [key, value] : args.keyword) {
        bool found = false;
        for (size_t i = 0; i < macro.params.size(); ++i) {
            if (macro.params[i].name == key) {
                if (given[i])
                    throw TemplateError("macro '" + name + "' got multiple values for argument '" +
                                        key + "'");
                frame->vars[key] = value;
                given[i] = found = true;
            }
        }
        if (!found && key == "caller") {
            frame->vars["caller"] = value;
        } else if (!found) {
            kwargs.dict_data().set(Value::string(key), value);
        }
    }
    frame->vars["varargs"] = Value::tuple(std::move(varargs));
    frame->vars["kwargs"] = kwargs;
    for (size_t i = 0; i < macro.params.size(); ++i) {
        if (given[i]) continue;
        const MacroParam& p = macro.params[i];
        frame->vars[p.name] = p.default_value
                                  ? eval(*p.default_value, frame)
                                  : Value::undefined("parameter '" + p.name + "' was not provided");
    }
    std::string out;
    exec_body(macro.body, frame, out);
    return Value::string(std::move(out));
}

CallArgs Interpreter::eval_args(const Expr& expr, size_t first_child,
                                const std::shared_ptr<Frame>& frame) {
    CallArgs args;
    for (size_t i = first_child; i < expr.children.size(); ++i)
        args.positional.push_back(eval(*expr.children[i], frame));
    for (const auto& [name, value] : expr.kwargs)
        args.keyword.emplace_back(name, eval(*value, frame));
    return args;
}

Value Interpreter::eval_call(const Expr& expr, const std::shared_ptr<Frame>& frame,
                             const Value* caller) {
    Value callee = eval(*expr.children[0], frame);
    CallArgs args = eval_args(expr, 1, frame);
    if (caller) args.keyword.emplace_back("caller", *caller);
    locate(expr.line, expr.column);
    return call(callee, args);
}

Value Interpreter::eval(const Expr& expr, const std::shared_ptr<Frame>& frame,
                        const Value* block_value) {
    NestingGuard nesting(eval_depth_);
    step();
    locate(expr.line, expr.column);
    const auto& c = expr.children;
    switch (expr.kind) {
        case ExprKind::Literal:
            return expr.literal;
        case ExprKind::Name: {
            const Value* v = frame->find(expr.name);
            return v ? *v : Value::undefined("'" + expr.name + "' is undefined");
        }
        case ExprKind::List:
        case ExprKind::Tuple: {
            std::vector<Value> items;
            for (const ExprPtr& e : c) items.push_back(eval(*e, frame));
            return expr.kind == ExprKind::List ? Value::list(std::move(items))
                                               : Value::tuple(std::move(items));
        }
        case ExprKind::Dict: {
            Value dict = Value::dict();
            for (size_t i = 0; i + 1 < c.size(); i += 2) {
                Value key = eval(*c[i], frame);
                dict.dict_data().set(std::move(key), eval(*c[i + 1], frame));
            }
            return dict;
        }
        case ExprKind::GetAttr: {
            Value obj = eval(*c[0], frame);
            locate(expr.line, expr.column);
            return get_attribute(obj, expr.name);
        }
        case ExprKind::GetItem: {
            Value obj = eval(*c[0], frame);
            Value key = eval(*c[1], frame);
            locate(expr.line, expr.column);
            return get_item(obj, key);
        }
        case ExprKind::Slice: {
            Value obj = eval(*c[0], frame);
            Value parts[3];
            for (int i = 0; i < 3; ++i) {
                if (c[static_cast<size_t>(i) + 1])
                    parts[i] = eval(*c[static_cast<size_t>(i) + 1], frame);
            }
            locate(expr.line, expr.column);
            return slice_value(obj, parts[0], parts[1], parts[2]);
        }
        case ExprKind::Call:
            return eval_call(expr, frame, nullptr);
        case ExprKind::Filter: {
            Value operand = c[0] ? eval(*c[0], frame) : (block_value ? *block_value : Value());
            CallArgs args = eval_args(expr, 1, frame);
            locate(expr.line, expr.column);
            return apply_filter(*this, expr.name, operand, args);
        }
        case ExprKind::Test: {
            Value operand = eval(*c[0], frame);
            CallArgs args = eval_args(expr, 1, frame);
            locate(expr.line, expr.column);
            return Value::boolean(apply_test(*this, expr.name, operand, args) != expr.negated);
        }
        case ExprKind::Unary: {
            Value v = eval(*c[0], frame);
            locate(expr.line, expr.column);
            if (expr.name == "not") return Value::boolean(!v.truthy());
            if (v.is_undefined()) throw TemplateError(undefined_message(v));
            if (!v.is_number())
                throw TemplateError("bad operand type for unary " + expr.name + ": '" +
                                    v.type_name() + "'");
            if (expr.name == "+") return v.is_bool() ? Value::integer(v.as_int()) : v;
            if (v.is_float()) return Value::floating(-v.as_double());
            if (v.as_int() == INT64_MIN) throw TemplateError("integer overflow");
            return Value::integer(-v.as_int());
        }
        case ExprKind::Binary: {
            Value a = eval(*c[0], frame);
            Value b = eval(*c[1], frame);
            locate(expr.line, expr.column);
            return binary_operation(expr.name, a, b, options_.limits.max_output_bytes);
        }
        case ExprKind::And: {
            Value a = eval(*c[0], frame);
            return a.truthy() ? eval(*c[1], frame) : a;
        }
        case ExprKind::Or: {
            Value a = eval(*c[0], frame);
            return a.truthy() ? a : eval(*c[1], frame);
        }
        case ExprKind::Conditional:
            if (eval(*c[0], frame).truthy()) return eval(*c[1], frame);
            return c[2] ? eval(*c[2], frame)
                        : Value::undefined("the inline if expression had no else");
    }
    return Value();
}

}  // namespace lamina::chat::jinja
