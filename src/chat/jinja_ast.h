// Jinja syntax tree: the expressions and statements a parsed template is made of.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "chat/jinja_value.h"

namespace lamina::chat::jinja {

struct Expr;
struct Stmt;
using ExprPtr = std::unique_ptr<Expr>;
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

enum class ExprKind {
    Literal,  // literal
    Name,     // name
    List,     // children: items
    Tuple,    // children: items
    Dict,     // children: key0, value0, key1, value1...
    GetAttr,  // children[0].name
    GetItem,  // children[0][children[1]]
    Slice,    // children[0][children[1]:children[2]:children[3]] (null children are omitted parts)
    Call,     // children[0](children[1..], kwargs)
    Filter,   // children[0] | name(children[1..], kwargs); children[0] null in filter blocks
    Test,     // children[0] is [not] name(children[1..], kwargs)
    Unary,    // name (op: "-", "+", "not") children[0]
    Binary,   // children[0] name children[1] (arithmetic, ~, comparisons, in, not in)
    And,      // children[0] and children[1]
    Or,       // children[0] or children[1]
    Conditional,  // children[1] if children[0] else children[2] (children[2] may be null)
};

struct Expr {
    ExprKind kind;
    int line = 0;
    int column = 0;
    Value literal;
    std::string name;
    bool negated = false;  // `is not`
    std::vector<ExprPtr> children;
    std::vector<std::pair<std::string, ExprPtr>> kwargs;
};

enum class StmtKind {
    Text,         // text
    Output,       // {{ expr }}
    If,           // branches; else_body
    For,          // {% for targets in expr [if condition] %} body {% else %} else_body
    Set,          // {% set targets = expr %} or {% set target_object.attribute = expr %}
    SetBlock,     // {% set targets[0] | filters %} body {% endset %}
    Macro,        // {% macro name(params) %} body
    FilterBlock,  // {% filter filters %} body
    CallBlock,    // {% call expr %} body: the body is `caller()` inside the called macro
    Break,
    Continue,
    Generation,  // HF's {% generation %} body: rendered unchanged
};

struct IfBranch {
    ExprPtr condition;
    Body body;
};

struct MacroParam {
    std::string name;
    ExprPtr default_value;  // null when required
};

struct Stmt {
    StmtKind kind;
    int line = 0;
    int column = 0;
    std::string text;
    ExprPtr expr;
    ExprPtr condition;
    std::vector<std::string> targets;
    std::string target_attribute;  // Set on a namespace: targets[0] is the namespace's name
    std::vector<IfBranch> branches;
    Body body;
    Body else_body;
    std::vector<MacroParam> params;
    // Filter chains of SetBlock and FilterBlock, each a Filter expression with a null operand.
    std::vector<ExprPtr> filters;
};

// A parsed template: its top-level statements.
struct Program {
    Body body;
};

}  // namespace lamina::chat::jinja
