// Jinja expression parser: jinja2's precedence (conditional < or < and < not < comparisons
// < + - < ~ < * / // % < ** < unary < filters/tests < postfix), literals, calls and subscripts.
#include <cerrno>
#include <cstdlib>

#include "chat/jinja_parser_state.h"

namespace lamina::chat::jinja {

ExprPtr Parser::parse_tuple_expression() {
    ExprPtr first = parse_expression();
    if (!is_op(",")) return first;
    return finish_tuple(std::move(first), true);
}

ExprPtr Parser::finish_tuple(ExprPtr first, bool allow_condexpr) {
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

ExprPtr Parser::parse_expression() {
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

ExprPtr Parser::parse_or() {
    ExprPtr left = parse_and();
    while (is_name("or")) {
        auto e = make_expr(ExprKind::Or, next());
        e->children.push_back(std::move(left));
        e->children.push_back(parse_and());
        left = std::move(e);
    }
    return left;
}

ExprPtr Parser::parse_and() {
    ExprPtr left = parse_not();
    while (is_name("and")) {
        auto e = make_expr(ExprKind::And, next());
        e->children.push_back(std::move(left));
        e->children.push_back(parse_not());
        left = std::move(e);
    }
    return left;
}

ExprPtr Parser::parse_not() {
    if (is_name("not")) {
        DepthGuard guard(*this, peek());
        auto e = make_expr(ExprKind::Unary, next());
        e->name = "not";
        e->children.push_back(parse_not());
        return e;
    }
    return parse_compare();
}

ExprPtr Parser::binary(const Token& at, std::string op, ExprPtr left, ExprPtr right) {
    auto e = make_expr(ExprKind::Binary, at);
    e->name = std::move(op);
    e->children.push_back(std::move(left));
    e->children.push_back(std::move(right));
    return e;
}

ExprPtr Parser::parse_compare() {
    ExprPtr left = parse_math1();
    while (true) {
        const Token& t = peek();
        if (t.kind == TokenKind::Operator && (t.text == "==" || t.text == "!=" || t.text == "<" ||
                                              t.text == "<=" || t.text == ">" || t.text == ">=")) {
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

ExprPtr Parser::parse_math1() {
    ExprPtr left = parse_concat();
    while (is_op("+") || is_op("-")) {
        const Token& t = peek();
        std::string op = next().text;
        left = binary(t, op, std::move(left), parse_concat());
    }
    return left;
}

ExprPtr Parser::parse_concat() {
    ExprPtr left = parse_math2();
    while (is_op("~")) {
        const Token& t = next();
        left = binary(t, "~", std::move(left), parse_math2());
    }
    return left;
}

ExprPtr Parser::parse_math2() {
    ExprPtr left = parse_pow();
    while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
        const Token& t = peek();
        std::string op = next().text;
        left = binary(t, op, std::move(left), parse_pow());
    }
    return left;
}

ExprPtr Parser::parse_pow() {
    ExprPtr left = parse_unary(true);
    while (is_op("**")) {
        const Token& t = next();
        left = binary(t, "**", std::move(left), parse_unary(true));
    }
    return left;
}

ExprPtr Parser::parse_unary(bool with_filter) {
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

ExprPtr Parser::parse_primary() {
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

ExprPtr Parser::parse_parenthesized() {
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

ExprPtr Parser::parse_list() {
    auto list = make_expr(ExprKind::List, next());
    while (!is_op("]")) {
        list->children.push_back(parse_expression());
        if (!is_op(",")) break;
        next();
    }
    expect_op("]");
    return list;
}

ExprPtr Parser::parse_dict() {
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

ExprPtr Parser::parse_postfix(ExprPtr node) {
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

ExprPtr Parser::parse_subscript(const Token& at, ExprPtr object) {
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

void Parser::parse_call_args(Expr& call) {
    expect_op("(");
    while (!is_op(")")) {
        if (peek().kind == TokenKind::Name && is_op("=", 1)) {
            std::string name = next().text;
            next();
            call.kwargs.emplace_back(name, parse_expression());
        } else {
            if (!call.kwargs.empty()) fail("positional argument after keyword argument", peek());
            call.children.push_back(parse_expression());
        }
        if (!is_op(",")) break;
        next();
    }
    expect_op(")");
}

ExprPtr Parser::parse_call(ExprPtr callee) {
    auto e = make_expr(ExprKind::Call, peek());
    e->children.push_back(std::move(callee));
    parse_call_args(*e);
    return e;
}

// `| name` or `| name(args)`, applied to `operand` (null in filter blocks).
ExprPtr Parser::parse_filter(ExprPtr operand) {
    const Token& t = peek();
    auto e = make_expr(ExprKind::Filter, t);
    e->name = expect_name();
    // jinja2 allows dotted filter names (`|ns.filter`); none exists here, so they fail by name.
    while (is_op(".") && peek(1).kind == TokenKind::Name) {
        next();
        e->name += "." + next().text;
    }
    e->children.push_back(std::move(operand));
    if (is_op("(")) parse_call_args(*e);
    return e;
}

ExprPtr Parser::parse_filters_and_tests(ExprPtr node) {
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

}  // namespace lamina::chat::jinja
