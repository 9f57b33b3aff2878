// Jinja parser internals: the token cursor and the recursive-descent methods shared by the
// statement parser (jinja_parser.cpp) and the expression parser (jinja_expression_parser.cpp).
#pragma once

#include <algorithm>
#include <initializer_list>
#include <string>
#include <vector>

#include "chat/jinja_ast.h"
#include "chat/jinja_error.h"
#include "chat/jinja_lexer.h"

namespace lamina::chat::jinja {

// Nesting beyond this is refused, so that hostile input cannot exhaust the stack.
constexpr int kMaxParserNesting = 96;

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
            if (++parser.depth_ > kMaxParserNesting) parser.fail("template nested too deeply", at);
        }
        ~DepthGuard() { --parser.depth_; }
    };

    void end_of_tag() { expect_kind(TokenKind::BlockEnd, "'%}'"); }

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

    // ---- statements (jinja_parser.cpp) ----
    // Parses statements until a block tag named in `end_tags`; returns with that name as the
    // next token (its `{%` consumed).
    Body parse_body(std::initializer_list<const char*> end_tags);
    StmtPtr parse_statement();
    StmtPtr parse_if();
    std::vector<std::string> parse_target_names();
    StmtPtr parse_for();
    StmtPtr parse_set();
    StmtPtr parse_macro();
    StmtPtr parse_call_block();
    StmtPtr parse_filter_block();
    // ---- expressions (jinja_expression_parser.cpp) ----
    ExprPtr parse_tuple_expression();
    ExprPtr finish_tuple(ExprPtr first, bool allow_condexpr);
    ExprPtr parse_expression();
    ExprPtr parse_or();
    ExprPtr parse_and();
    ExprPtr parse_not();
    ExprPtr binary(const Token& at, std::string op, ExprPtr left, ExprPtr right);
    ExprPtr parse_compare();
    ExprPtr parse_math1();
    ExprPtr parse_concat();
    ExprPtr parse_math2();
    ExprPtr parse_pow();
    ExprPtr parse_unary(bool with_filter);
    ExprPtr parse_primary();
    ExprPtr parse_parenthesized();
    ExprPtr parse_list();
    ExprPtr parse_dict();
    ExprPtr parse_postfix(ExprPtr node);
    ExprPtr parse_subscript(const Token& at, ExprPtr object);
    void parse_call_args(Expr& call);
    ExprPtr parse_call(ExprPtr callee);
    // `| name` or `| name(args)`, applied to `operand` (null in filter blocks).
    ExprPtr parse_filter(ExprPtr operand);
    ExprPtr parse_filters_and_tests(ExprPtr node);

    std::vector<Token> tokens_;
    size_t pos_ = 0;
    int depth_ = 0;
    int loop_depth_ = 0;
};

}  // namespace lamina::chat::jinja
