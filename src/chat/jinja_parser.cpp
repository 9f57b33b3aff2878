// Jinja statement parser: the template body and its tags (if, for, set, macro, call, filter,
// break, continue, generation); expressions are parsed in jinja_expression_parser.cpp.
#include "chat/jinja_parser.h"

#include "chat/jinja_parser_state.h"

namespace lamina::chat::jinja {

// Parses statements until a block tag named in `end_tags`; returns with that name as the
// next token (its `{%` consumed).
Body Parser::parse_body(std::initializer_list<const char*> end_tags) {
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
                    fail(std::string("unexpected end of template, expected '") + *end_tags.begin() +
                             "'",
                         t);
                }
                return body;
            default:
                fail("unexpected " + describe(t), t);
        }
    }
}

StmtPtr Parser::parse_statement() {
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

StmtPtr Parser::parse_if() {
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

std::vector<std::string> Parser::parse_target_names() {
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

StmtPtr Parser::parse_for() {
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

StmtPtr Parser::parse_set() {
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

StmtPtr Parser::parse_macro() {
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

StmtPtr Parser::parse_call_block() {
    auto s = make_stmt(StmtKind::CallBlock, next());
    s->expr = parse_expression();
    if (s->expr->kind != ExprKind::Call) fail("expected a call", peek());
    end_of_tag();
    s->body = parse_body({"endcall"});
    next();
    end_of_tag();
    return s;
}

StmtPtr Parser::parse_filter_block() {
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

Program parse_template(std::string_view source) {
    return Parser(lex_template(source)).parse();
}

}  // namespace lamina::chat::jinja
