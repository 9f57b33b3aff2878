// Jinja parser: recursive descent over the lexer's tokens, with jinja2's operator precedence
// (conditional < or < and < not < comparisons < + - < ~ < * / // % < ** < unary < filters/tests
// < postfix) and its statements (if, for, set, macro, call, filter, break, continue, generation).
#include "chat/jinja_parser.h"

#include <algorithm>
#include <cstdlib>
#include <initializer_list>

#include "chat/jinja_error.h"
#include "chat/jinja_lexer.h"

namespace lamina::chat::jinja {
namespace {

// Nesting beyond this is refused, so that hostile input cannot exhaust the stack.
constexpr int kMaxNesting = 96;

class Parser {
  public:
    explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

    Program parse() {
        Program program;
        program.body = parse_body({});
        return program;
    }

  private:
    const Token& peek(size_t ahead = 0) const {
        return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
    }
    const Token& next() {
        const Token& t = peek();
        if (pos_ < tokens_.size() - 1) ++pos_;
        return t;
    }

    [[noreturn]] void fail(const std::string& message, const Token& at) const {
        throw TemplateError("syntax error at line " + std::to_string(at.line) + ", column " +
                                std::to_string(at.column) + ": " + message,
                            at.line, at.column);
    }

    static std::string describe(const Token& t) {
        switch (t.kind) {
            case TokenKind::Text:
                return "template text";
            case TokenKind::VarBegin:
                return "'{{'";
            case TokenKind::VarEnd:
                return "'}}'";
            case TokenKind::BlockBegin:
                return "'{%'";
            case TokenKind::BlockEnd:
                return "'%}'";
            case TokenKind::End:
                return "end of template";
            case TokenKind::String:
                return "string";
            default:
                return "'" + t.text + "'";
        }
    }

    bool is_op(const char* op, size_t ahead = 0) const {
        const Token& t = peek(ahead);
        return t.kind == TokenKind::Operator && t.text == op;
    }
    bool is_name(const char* name, size_t ahead = 0) const {
        const Token& t = peek(ahead);
        return t.kind == TokenKind::Name && t.text == name;
    }
    void expect_op(const char* op) {
        if (!is_op(op)) fail(std::string("expected '") + op + "', got " + describe(peek()), peek());
        next();
    }
    void expect_kind(TokenKind kind, const char* what) {
        if (peek().kind != kind)
            fail(std::string("expected ") + what + ", got " + describe(peek()), peek());
        next();
    }
    std::string expect_name() {
        if (peek().kind != TokenKind::Name)
            fail("expected a name, got " + describe(peek()), peek());
        return next().text;
    }

    // Counts nesting on the way down and refuses too much.
    struct DepthGuard {
        Parser& parser;
        DepthGuard(Parser& p, const Token& at) : parser(p) {
            if (++parser.depth_ > kMaxNesting) parser.fail("template nested too deeply", at);
        }
        ~DepthGuard() { --parser.depth_; }
    };

    ExprPtr make_expr(ExprKind kind, const Token& at) {
        auto e = std::make_unique<Expr>();
        e->kind = kind;
        e->line = at.line;
        e->column = at.column;
        return e;
    }
    StmtPtr make_stmt(StmtKind kind, const Token& at) {
        auto s = std::make_unique<Stmt>();
        s->kind = kind;
        s->line = at.line;
        s->column = at.column;
        return s;
    }

    // ---- statements ----

    // Parses statements until a block tag named in `end_tags`; returns with that name as the
    // next token (its `{%` consumed).
    Body parse_body(std::initializer_list<const char*> end_tags) {
        DepthGuard guard(*this, peek());
        Body body;
        while (true) {
            const Token& t = peek();
            switch (t.kind) {
                case TokenKind::Text: {
                    auto s = make_stmt(StmtKind::Text, t);
                    s->text = next().text;
                    body.push_back(std::move(s));
                    break;
                }
                case TokenKind::VarBegin: {
                    next();
                    auto s = make_stmt(StmtKind::Output, t);
                    s->expr = parse_tuple_expression();
                    expect_kind(TokenKind::VarEnd, "'}}'");
                    body.push_back(std::move(s));
                    break;
                }
                case TokenKind::BlockBegin: {
                    const Token& name = peek(1);
                    for (const char* end : end_tags) {
                        if (name.kind == TokenKind::Name && name.text == end) {
                            next();
                            return body;
                        }
                    }
                    next();
                    body.push_back(parse_statement());
                    break;
                }
                case TokenKind::End:
                    if (end_tags.size() != 0) {
                        fail(std::string("unexpected end of template, expected '") +
                                 *end_tags.begin() + "'",
                             t);
                    }
                    return body;
                default:
                    fail("unexpected " + describe(t), t);
            }
        }
    }

    void end_of_tag() { expect_kind(TokenKind::BlockEnd, "'%}'"); }

    StmtPtr parse_statement() {
        const Token& t = peek();
        if (t.kind != TokenKind::Name) fail("expected a statement name, got " + describe(t), t);
        const std::string& tag = t.text;
        if (tag == "if") return parse_if();
        if (tag == "for") return parse_for();
        if (tag == "set") return parse_set();
        if (tag == "macro") return parse_macro();
        if (tag == "call") return parse_call_block();
        if (tag == "filter") return parse_filter_block();
        if (tag == "generation") {
            next();
            end_of_tag();
            auto s = make_stmt(StmtKind::Generation, t);
            s->body = parse_body({"endgeneration"});
            next();
            end_of_tag();
            return s;
        }
        if (tag == "break" || tag == "continue") {
            if (loop_depth_ == 0) fail("'" + tag + "' outside of a loop", t);
            next();
            end_of_tag();
            return make_stmt(tag == "break" ? StmtKind::Break : StmtKind::Continue, t);
        }
        fail("unknown tag '" + tag + "'", t);
    }

    StmtPtr parse_if() {
        auto s = make_stmt(StmtKind::If, next());
        while (true) {
            IfBranch branch;
            branch.condition = parse_expression();
            end_of_tag();
            branch.body = parse_body({"elif", "else", "endif"});
            s->branches.push_back(std::move(branch));
            std::string tag = next().text;
            if (tag == "elif") continue;
            if (tag == "else") {
                end_of_tag();
                s->else_body = parse_body({"endif"});
                next();
            }
            end_of_tag();
            return s;
        }
    }

    std::vector<std::string> parse_target_names() {
        std::vector<std::string> names;
        bool parenthesized = is_op("(");
        if (parenthesized) next();
        names.push_back(expect_name());
        while (is_op(",")) {
            next();
            if (peek().kind != TokenKind::Name || is_name("in")) break;
            names.push_back(expect_name());
        }
        if (parenthesized) expect_op(")");
        return names;
    }

    StmtPtr parse_for() {
        auto s = make_stmt(StmtKind::For, next());
        s->targets = parse_target_names();
        if (!is_name("in")) fail("expected 'in', got " + describe(peek()), peek());
        next();
        s->expr = parse_or();
        if (is_op(",")) s->expr = finish_tuple(std::move(s->expr), /*allow_condexpr=*/false);
        if (is_name("if")) {
            next();
            s->condition = parse_expression();
        }
        if (is_name("recursive")) fail("recursive loops are not supported", peek());
        end_of_tag();
        ++loop_depth_;
        s->body = parse_body({"endfor", "else"});
        --loop_depth_;
        if (next().text == "else") {
            end_of_tag();
            s->else_body = parse_body({"endfor"});
            next();
        }
        end_of_tag();
        return s;
    }

    StmtPtr parse_set() {
        const Token& at = next();
        auto s = make_stmt(StmtKind::Set, at);
        std::string first = expect_name();
        s->targets.push_back(first);
        if (is_op(".")) {
            next();
            s->target_attribute = expect_name();
        } else {
            while (is_op(",")) {
                next();
                s->targets.push_back(expect_name());
            }
        }
        if (is_op("=")) {
            next();
            s->expr = parse_tuple_expression();
            end_of_tag();
            return s;
        }
        if (!s->target_attribute.empty() || s->targets.size() != 1) fail("expected '='", peek());
        s->kind = StmtKind::SetBlock;
        while (is_op("|")) {
            next();
            s->filters.push_back(parse_filter(nullptr));
        }
        end_of_tag();
        s->body = parse_body({"endset"});
        next();
        end_of_tag();
        return s;
    }

    StmtPtr parse_macro() {
        auto s = make_stmt(StmtKind::Macro, next());
        s->targets.push_back(expect_name());
        expect_op("(");
        while (!is_op(")")) {
            MacroParam param;
            param.name = expect_name();
            if (is_op("=")) {
                next();
                param.default_value = parse_expression();
            }
            s->params.push_back(std::move(param));
            if (!is_op(",")) break;
            next();
        }
        expect_op(")");
        end_of_tag();
        int saved_loops = loop_depth_;
        loop_depth_ = 0;
        s->body = parse_body({"endmacro"});
        loop_depth_ = saved_loops;
        next();
        if (peek().kind == TokenKind::Name) next();  // {% endmacro name %}
        end_of_tag();
        return s;
    }

    StmtPtr parse_call_block() {
        auto s = make_stmt(StmtKind::CallBlock, next());
        s->expr = parse_expression();
        if (s->expr->kind != ExprKind::Call) fail("expected a call", peek());
        end_of_tag();
        s->body = parse_body({"endcall"});
        next();
        end_of_tag();
        return s;
    }

    StmtPtr parse_filter_block() {
        auto s = make_stmt(StmtKind::FilterBlock, next());
        s->filters.push_back(parse_filter(nullptr));
        while (is_op("|")) {
            next();
            s->filters.push_back(parse_filter(nullptr));
        }
        end_of_tag();
        s->body = parse_body({"endfilter"});
        next();
        end_of_tag();
        return s;
    }

    // ---- expressions ----

    ExprPtr parse_tuple_expression() {
        ExprPtr first = parse_expression();
        if (!is_op(",")) return first;
        return finish_tuple(std::move(first), true);
    }

    ExprPtr finish_tuple(ExprPtr first, bool allow_condexpr) {
        auto tuple = make_expr(ExprKind::Tuple, peek());
        tuple->line = first->line;
        tuple->column = first->column;
        tuple->children.push_back(std::move(first));
        while (is_op(",")) {
            next();
            const Token& t = peek();
            if (t.kind == TokenKind::VarEnd || t.kind == TokenKind::BlockEnd || is_op(")") ||
                is_name("if"))
                break;
            tuple->children.push_back(allow_condexpr ? parse_expression() : parse_or());
        }
        return tuple;
    }

    ExprPtr parse_expression() {
        DepthGuard guard(*this, peek());
        ExprPtr value = parse_or();
        while (is_name("if")) {
            auto cond = make_expr(ExprKind::Conditional, next());
            cond->children.push_back(parse_or());
            cond->children.push_back(std::move(value));
            if (is_name("else")) {
                next();
                cond->children.push_back(parse_expression());
            } else {
                cond->children.push_back(nullptr);
            }
            value = std::move(cond);
        }
        return value;
    }

    ExprPtr parse_or() {
        ExprPtr left = parse_and();
        while (is_name("or")) {
            auto e = make_expr(ExprKind::Or, next());
            e->children.push_back(std::move(left));
            e->children.push_back(parse_and());
            left = std::move(e);
        }
        return left;
    }

    ExprPtr parse_and() {
        ExprPtr left = parse_not();
        while (is_name("and")) {
            auto e = make_expr(ExprKind::And, next());
            e->children.push_back(std::move(left));
            e->children.push_back(parse_not());
            left = std::move(e);
        }
        return left;
    }

    ExprPtr parse_not() {
        if (is_name("not")) {
            DepthGuard guard(*this, peek());
            auto e = make_expr(ExprKind::Unary, next());
            e->name = "not";
            e->children.push_back(parse_not());
            return e;
        }
        return parse_compare();
    }

    ExprPtr binary(const Token& at, std::string op, ExprPtr left, ExprPtr right) {
        auto e = make_expr(ExprKind::Binary, at);
        e->name = std::move(op);
        e->children.push_back(std::move(left));
        e->children.push_back(std::move(right));
        return e;
    }

    ExprPtr parse_compare() {
        ExprPtr left = parse_math1();
        while (true) {
            const Token& t = peek();
            if (t.kind == TokenKind::Operator &&
                (t.text == "==" || t.text == "!=" || t.text == "<" || t.text == "<=" ||
                 t.text == ">" || t.text == ">=")) {
                std::string op = next().text;
                left = binary(t, op, std::move(left), parse_math1());
            } else if (is_name("in")) {
                next();
                left = binary(t, "in", std::move(left), parse_math1());
            } else if (is_name("not") && is_name("in", 1)) {
                next();
                next();
                left = binary(t, "not in", std::move(left), parse_math1());
            } else {
                return left;
            }
        }
    }

    ExprPtr parse_math1() {
        ExprPtr left = parse_concat();
        while (is_op("+") || is_op("-")) {
            const Token& t = peek();
            std::string op = next().text;
            left = binary(t, op, std::move(left), parse_concat());
        }
        return left;
    }

    ExprPtr parse_concat() {
        ExprPtr left = parse_math2();
        while (is_op("~")) {
            const Token& t = next();
            left = binary(t, "~", std::move(left), parse_math2());
        }
        return left;
    }

    ExprPtr parse_math2() {
        ExprPtr left = parse_pow();
        while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
            const Token& t = peek();
            std::string op = next().text;
            left = binary(t, op, std::move(left), parse_pow());
        }
        return left;
    }

    ExprPtr parse_pow() {
        ExprPtr left = parse_unary(true);
        while (is_op("**")) {
            const Token& t = next();
            left = binary(t, "**", std::move(left), parse_unary(true));
        }
        return left;
    }

    ExprPtr parse_unary(bool with_filter) {
        DepthGuard guard(*this, peek());
        ExprPtr node;
        if (is_op("-") || is_op("+")) {
            const Token& t = peek();
            node = make_expr(ExprKind::Unary, t);
            node->name = next().text;
            node->children.push_back(parse_unary(false));
        } else {
            node = parse_postfix(parse_primary());
        }
        if (with_filter) node = parse_filters_and_tests(std::move(node));
        return node;
    }

    ExprPtr parse_primary() {
        const Token& t = peek();
        switch (t.kind) {
            case TokenKind::Name: {
                next();
                auto e = make_expr(ExprKind::Literal, t);
                if (t.text == "true" || t.text == "True") {
                    e->literal = Value::boolean(true);
                } else if (t.text == "false" || t.text == "False") {
                    e->literal = Value::boolean(false);
                } else if (t.text == "none" || t.text == "None") {
                    e->literal = Value::none();
                } else {
                    static const char* const reserved[] = {"and", "or", "not", "in",
                                                           "is",  "if", "else"};
                    for (const char* r : reserved) {
                        if (t.text == r) fail("unexpected '" + t.text + "'", t);
                    }
                    e->kind = ExprKind::Name;
                    e->name = t.text;
                }
                return e;
            }
            case TokenKind::String: {
                auto e = make_expr(ExprKind::Literal, t);
                std::string s = next().text;
                while (peek().kind == TokenKind::String) s += next().text;
                e->literal = Value::string(std::move(s));
                return e;
            }
            case TokenKind::Integer: {
                next();
                auto e = make_expr(ExprKind::Literal, t);
                errno = 0;
                char* end = nullptr;
                long long v = std::strtoll(t.text.c_str(), &end, 10);
                if (errno == ERANGE) fail("integer literal too large", t);
                e->literal = Value::integer(v);
                return e;
            }
            case TokenKind::Float: {
                next();
                auto e = make_expr(ExprKind::Literal, t);
                e->literal = Value::floating(std::strtod(t.text.c_str(), nullptr));
                return e;
            }
            case TokenKind::Operator:
                if (t.text == "(") return parse_parenthesized();
                if (t.text == "[") return parse_list();
                if (t.text == "{") return parse_dict();
                break;
            default:
                break;
        }
        fail("unexpected " + describe(t), t);
    }

    ExprPtr parse_parenthesized() {
        const Token& open = next();
        if (is_op(")")) {
            next();
            return make_expr(ExprKind::Tuple, open);
        }
        ExprPtr first = parse_expression();
        if (is_op(")")) {
            next();
            return first;
        }
        auto tuple = make_expr(ExprKind::Tuple, open);
        tuple->children.push_back(std::move(first));
        while (is_op(",")) {
            next();
            if (is_op(")")) break;
            tuple->children.push_back(parse_expression());
        }
        expect_op(")");
        return tuple;
    }

    ExprPtr parse_list() {
        auto list = make_expr(ExprKind::List, next());
        while (!is_op("]")) {
            list->children.push_back(parse_expression());
            if (!is_op(",")) break;
            next();
        }
        expect_op("]");
        return list;
    }

    ExprPtr parse_dict() {
        auto dict = make_expr(ExprKind::Dict, next());
        while (!is_op("}")) {
            dict->children.push_back(parse_expression());
            expect_op(":");
            dict->children.push_back(parse_expression());
            if (!is_op(",")) break;
            next();
        }
        expect_op("}");
        return dict;
    }

    ExprPtr parse_postfix(ExprPtr node) {
        while (true) {
            const Token& t = peek();
            if (is_op(".")) {
                next();
                const Token& attr = peek();
                if (attr.kind == TokenKind::Name) {
                    auto e = make_expr(ExprKind::GetAttr, t);
                    e->name = next().text;
                    e->children.push_back(std::move(node));
                    node = std::move(e);
                } else if (attr.kind == TokenKind::Integer) {
                    auto e = make_expr(ExprKind::GetItem, t);
                    e->children.push_back(std::move(node));
                    e->children.push_back(parse_primary());
                    node = std::move(e);
                } else {
                    fail("expected an attribute name, got " + describe(attr), attr);
                }
            } else if (is_op("[")) {
                next();
                node = parse_subscript(t, std::move(node));
            } else if (is_op("(")) {
                node = parse_call(std::move(node));
            } else {
                return node;
            }
        }
    }

    ExprPtr parse_subscript(const Token& at, ExprPtr object) {
        ExprPtr parts[3];
        bool is_slice = false;
        if (!is_op(":")) parts[0] = parse_expression();
        if (is_op(":")) {
            is_slice = true;
            next();
            if (!is_op("]") && !is_op(":")) parts[1] = parse_expression();
            if (is_op(":")) {
                next();
                if (!is_op("]")) parts[2] = parse_expression();
            }
        }
        expect_op("]");
        auto e = make_expr(is_slice ? ExprKind::Slice : ExprKind::GetItem, at);
        e->children.push_back(std::move(object));
        if (is_slice) {
            for (auto& p : parts) e->children.push_back(std::move(p));
        } else {
            e->children.push_back(std::move(parts[0]));
        }
        return e;
    }

    void parse_call_args(Expr& call) {
        expect_op("(");
        while (!is_op(")")) {
            if (peek().kind == TokenKind::Name && is_op("=", 1)) {
                std::string name = next().text;
                next();
                call.kwargs.emplace_back(name, parse_expression());
            } else {
                if (!call.kwargs.empty())
                    fail("positional argument after keyword argument", peek());
                call.children.push_back(parse_expression());
            }
            if (!is_op(",")) break;
            next();
        }
        expect_op(")");
    }

    ExprPtr parse_call(ExprPtr callee) {
        auto e = make_expr(ExprKind::Call, peek());
        e->children.push_back(std::move(callee));
        parse_call_args(*e);
        return e;
    }

    // `| name` or `| name(args)`, applied to `operand` (null in filter blocks).
    ExprPtr parse_filter(ExprPtr operand) {
        const Token& t = peek();
        auto e = make_expr(ExprKind::Filter, t);
        e->name = expect_name();
        e->children.push_back(std::move(operand));
        if (is_op("(")) parse_call_args(*e);
        return e;
    }

    ExprPtr parse_filters_and_tests(ExprPtr node) {
        while (true) {
            if (is_op("|")) {
                next();
                node = parse_filter(std::move(node));
            } else if (is_name("is")) {
                const Token& t = next();
                auto e = make_expr(ExprKind::Test, t);
                if (is_name("not")) {
                    next();
                    e->negated = true;
                }
                e->name = expect_name();
                e->children.push_back(std::move(node));
                const Token& a = peek();
                static const char* const stop[] = {"else", "or", "and", "if", "in", "is", "not"};
                bool stops = a.kind == TokenKind::Name &&
                             std::any_of(std::begin(stop), std::end(stop),
                                         [&](const char* s) { return a.text == s; });
                if (is_op("(")) {
                    parse_call_args(*e);
                } else if (!stops && (a.kind == TokenKind::Name || a.kind == TokenKind::String ||
                                      a.kind == TokenKind::Integer || a.kind == TokenKind::Float ||
                                      is_op("[") || is_op("{"))) {
                    e->children.push_back(parse_postfix(parse_primary()));
                }
                node = std::move(e);
            } else {
                return node;
            }
        }
    }

    std::vector<Token> tokens_;
    size_t pos_ = 0;
    int depth_ = 0;
    int loop_depth_ = 0;
};

}  // namespace

Program parse_template(std::string_view source) {
    return Parser(lex_template(source)).parse();
}

}  // namespace lamina::chat::jinja
