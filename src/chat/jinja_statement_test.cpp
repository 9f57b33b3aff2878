// Jinja statements: for/loop, break/continue, set scoping, namespace, macro, call, filter blocks.
// Expected texts are jinja2 3.1's renderings (ImmutableSandboxedEnvironment, trim_blocks,
// lstrip_blocks, loopcontrols) of the same templates.
#include <gtest/gtest.h>

#include "chat/chat_test_support.h"

namespace lamina::chat {
namespace {

TEST(JinjaStatement, ForLoopVariables) {
    EXPECT_RENDERS(
        "{% for x in ['a','b','c'] %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last "
        "}}{{ loop.length }}{{ loop.revindex }}|{% endfor %}",
        "10TrueFalse33|21FalseFalse32|32FalseTrue31|");
}

TEST(JinjaStatement, ForLoopPrevNext) {
    EXPECT_RENDERS(
        "{% for x in [1,2,3] %}{{ loop.previtem }}<{{ x }}>{{ loop.nextitem }};{% endfor %}",
        "<1>2;1<2>3;2<3>;");
}

TEST(JinjaStatement, ForElse) {
    EXPECT_RENDERS("{% for x in [] %}x{% else %}empty{% endfor %}", "empty");
}

TEST(JinjaStatement, ForWithFilter) {
    EXPECT_RENDERS(
        "{% for x in range(10) if x % 3 == 0 %}{{ x }}:{{ loop.index }}/{{ loop.length }} {% "
        "endfor %}",
        "0:1/4 3:2/4 6:3/4 9:4/4 ");
}

TEST(JinjaStatement, BreakAndContinue) {
    EXPECT_RENDERS(
        "{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 5 %}{% break "
        "%}{% endif %}{{ x }}{% endfor %}",
        "0134");
}

TEST(JinjaStatement, ForUnpacking) {
    EXPECT_RENDERS("{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }} {% endfor %}", "3 7 ");
}

TEST(JinjaStatement, LoopCycle) {
    EXPECT_RENDERS("{% for x in range(4) %}{{ loop.cycle('odd', 'even') }} {% endfor %}",
                   "odd even odd even ");
}

TEST(JinjaStatement, SetInLoopDoesNotLeak) {
    EXPECT_RENDERS("{% set x = 1 %}{% for i in range(3) %}{% set x = i %}{% endfor %}{{ x }}", "1");
}

TEST(JinjaStatement, SetInIfLeaks) {
    EXPECT_RENDERS("{% if true %}{% set x = 5 %}{% endif %}{{ x }}", "5");
}

TEST(JinjaStatement, NamespaceCarriesOutOfLoop) {
    EXPECT_RENDERS(
        "{% set ns = namespace(total=0, names='') %}{% for i in range(4) %}{% set ns.total = "
        "ns.total + i %}{% endfor %}{{ ns.total }}",
        "6");
}

TEST(JinjaStatement, SetBlockWithFilter) {
    EXPECT_RENDERS("{% set greeting | upper %}hello {{ 'world' }}{% endset %}[{{ greeting }}]",
                   "[HELLO WORLD]");
}

TEST(JinjaStatement, TupleSet) {
    EXPECT_RENDERS("{% set a, b = 1, 2 %}{{ a }}{{ b }}", "12");
}

TEST(JinjaStatement, MacroDefaultsAndKeywords) {
    EXPECT_RENDERS(
        "{% macro tag(name, cls='x', close=true) %}<{{ name }} class={{ cls }}>{% if close %}</{{ "
        "name }}>{% endif %}{% endmacro %}{{ tag('a') }}{{ tag('b', close=false) }}{{ tag('c', "
        "'y') }}",
        "<a class=x></a><b class=x><c class=y></c>");
}

TEST(JinjaStatement, MacroRecursion) {
    EXPECT_RENDERS(
        "{% macro count(n) %}{{ n }}{% if n > 0 %}{{ count(n - 1) }}{% endif %}{% endmacro %}{{ "
        "count(3) }}",
        "3210");
}

TEST(JinjaStatement, MacroSeesGlobals) {
    EXPECT_RENDERS("{% macro hello() %}hi {{ who }}{% endmacro %}{{ hello() }}", "hi you",
                   "{\"who\": \"you\"}");
}

TEST(JinjaStatement, CallBlock) {
    EXPECT_RENDERS(
        "{% macro wrap() %}[{{ caller() }}]{% endmacro %}{% call wrap() %}inside{% endcall %}",
        "[inside]");
}

TEST(JinjaStatement, FilterBlock) {
    EXPECT_RENDERS("{% filter upper %}shout {{ 'this' }}{% endfilter %}", "SHOUT THIS");
}

TEST(JinjaStatement, ElifChain) {
    EXPECT_RENDERS(
        "{% for v in [1, 2, 3] %}{% if v == 1 %}one{% elif v == 2 %}two{% else %}many{% endif %} "
        "{% endfor %}",
        "one two many ");
}

TEST(JinjaStatement, UndefinedPrintsEmpty) {
    EXPECT_RENDERS("[{{ missing }}][{{ missing is defined }}][{{ none }}][{{ messages[5] }}]",
                   "[][False][None][]", "{\"messages\": []}");
}

TEST(JinjaStatement, MissingKeyIsUndefined) {
    EXPECT_RENDERS("{{ m.nothing is defined }} {{ m['role'] }} {{ m.role }}", "False user user",
                   "{\"m\": {\"role\": \"user\"}}");
}

TEST(JinjaStatement, DictMethodBeatsKey) {
    EXPECT_RENDERS(
        "{{ d.items is defined }} {{ d['items'] }} {{ d.get('items') }} {{ d.get('x', 'dflt') }} "
        "{{ d.get('x') }}",
        "True I I dflt None", "{\"d\": {\"items\": \"I\"}}");
}

TEST(JinjaStatement, RangeForms) {
    EXPECT_RENDERS("{{ range(3)|list }} {{ range(1, 4)|list }} {{ range(5, 0, -2)|list }}",
                   "[0, 1, 2] [1, 2, 3] [5, 3, 1]");
}

TEST(JinjaStatement, MacroVarargsAndKwargs) {
    EXPECT_RENDERS(
        "{% macro m(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, x=4) }}|{{ "
        "m(0) }}",
        "1(2, 3){'x': 4}|0(){}");
}

}  // namespace
}  // namespace lamina::chat
