// Jinja lexer: splits template source into text and the tokens inside {{ }} and {% %} tags.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lamina::chat::jinja {

enum class TokenKind {
    Text,        // template data between tags, whitespace control already applied
    VarBegin,    // {{
    VarEnd,      // }}
    BlockBegin,  // {%
    BlockEnd,    // %}
    Name,        // identifiers and keywords
    String,      // a string literal, escapes decoded
    Integer,
    Float,
    Operator,  // + - * / // % ** ~ == != < <= > >= = ( ) [ ] { } , . : |
    End,
};

struct Token {
    TokenKind kind;
    std::string text;  // Text data, name, decoded string, number spelling, operator
    int line = 1;
    int column = 1;
};

// Options that match Hugging Face's environment by default.
struct LexerOptions {
    bool trim_blocks = true;
    bool lstrip_blocks = true;
    bool keep_trailing_newline = false;
};

// Tokenizes `source`; throws TemplateError (with line and column) on malformed input. Comments
// are dropped; `{% raw %}` bodies become Text.
std::vector<Token> lex_template(std::string_view source, const LexerOptions& options = {});

}  // namespace lamina::chat::jinja
