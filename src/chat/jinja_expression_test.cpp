// Jinja expressions: Python arithmetic, float repr, strings, slicing, membership, checked against
// jinja2. Expected texts are jinja2 3.1's renderings (ImmutableSandboxedEnvironment, trim_blocks,
// lstrip_blocks, loopcontrols) of the same templates.
#include <gtest/gtest.h>

#include "chat/chat_test_support.h"

namespace lamina::chat {
namespace {

TEST(JinjaExpression, IntegerArithmetic) {
    EXPECT_RENDERS(
        "{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 1 + 2 * 3 }}",
        "3 -4 1 2 1024 7");
}

TEST(JinjaExpression, TrueDivisionIsFloat) {
    EXPECT_RENDERS("{{ 7 / 2 }} {{ 6 / 2 }} {{ 1 / 3 }}", "3.5 3.0 0.3333333333333333");
}

TEST(JinjaExpression, FloatRepr) {
    EXPECT_RENDERS(
        "{{ 1.0 }} {{ 0.1 + 0.2 }} {{ 1e16 }} {{ 1.5e-5 }} {{ 123.456 }} {{ 2.0 * 3 }} {{ 1e22 }}",
        "1.0 0.30000000000000004 1e+16 1.5e-05 123.456 6.0 1e+22");
}

TEST(JinjaExpression, StringRepetitionAndConcat) {
    EXPECT_RENDERS("{{ 'ab' * 3 }}|{{ 3 * 'x' }}|{{ 'a' ~ 1 ~ none ~ true }}|{{ 'a' + 'b' }}",
                   "ababab|xxx|a1NoneTrue|ab");
}

TEST(JinjaExpression, ListConcatAndRepeat) {
    EXPECT_RENDERS("{{ [1, 2] + [3] }} {{ [0] * 3 }}", "[1, 2, 3] [0, 0, 0]");
}

TEST(JinjaExpression, Comparisons) {
    EXPECT_RENDERS(
        "{{ 1 < 2 }} {{ 'a' < 'b' }} {{ 1 == 1.0 }} {{ [1, 2] == [1, 2] }} {{ 1 != 2 }} {{ true == "
        "1 }}",
        "True True True True True True");
}

TEST(JinjaExpression, MembershipTests) {
    EXPECT_RENDERS(
        "{{ 'b' in 'abc' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 3 not in [1, 2] }}",
        "True True True True");
}

TEST(JinjaExpression, BooleanOperatorsReturnOperands) {
    EXPECT_RENDERS("{{ 0 or 'x' }} {{ 'a' and 'b' }} {{ none or [] }} {{ not 0 }}", "x b [] True");
}

TEST(JinjaExpression, InlineIf) {
    EXPECT_RENDERS("{{ 'y' if 1 else 'n' }} {{ 'y' if 0 else 'n' }}[{{ 'y' if 0 }}]", "y n[]");
}

TEST(JinjaExpression, Slicing) {
    EXPECT_RENDERS(
        "{{ 'hello'[1:3] }} {{ 'hello'[::-1] }} {{ [1,2,3,4,5][::2] }} {{ [1,2,3,4,5][-2:] }} {{ "
        "'hello'[-1] }} {{ [1,2,3][:-1] }} {{ [1,2,3,4,5][4:1:-2] }}",
        "el olleh [1, 3, 5] [4, 5] o [1, 2] [5, 3]");
}

TEST(JinjaExpression, UnicodeSlicingByCodePoint) {
    EXPECT_RENDERS("{{ 'héllo'[1:3] }} {{ 'héllo'|length }} {{ '日本語'[::-1] }}", "él 5 語本日");
}

TEST(JinjaExpression, ReprOfContainers) {
    EXPECT_RENDERS(
        "{{ [1, 'a', none, true, 1.5] }} {{ {'a': 1, 'b': [2]} }} {{ ('x',) }} {{ (1, 2) }} {{ "
        "[\"it's\"] }}",
        "[1, 'a', None, True, 1.5] {'a': 1, 'b': [2]} ('x',) (1, 2) [\"it's\"]");
}

TEST(JinjaExpression, StringEscapesInLiterals) {
    EXPECT_RENDERS("{{ 'a\\nb\\t\\'c\\'' }}|{{ \"q\\\"\" }}|{{ '\\u00e9' }}", "a\nb\t'c'|q\"|é");
}

TEST(JinjaExpression, DictLiteralKeepsOrder) {
    EXPECT_RENDERS("{% for k, v in {'z': 1, 'a': 2, 'm': 3}.items() %}{{ k }}={{ v }};{% endfor %}",
                   "z=1;a=2;m=3;");
}

TEST(JinjaExpression, PercentFormatting) {
    EXPECT_RENDERS("{{ '%s-%d-%.2f-%5s|%-4d|%03d' % ('a', 3, 3.14159, 'r', 7, 5) }}",
                   "a-3-3.14-    r|7   |005");
}

TEST(JinjaExpression, UnaryMinus) {
    EXPECT_RENDERS("{{ -3 }} {{ -(2 + 1) }} {{ - 1.5 }}", "-3 -3 -1.5");
}

// Steps and bounds near the int64 limits must not overflow (jinja2's values).
TEST(JinjaExpression, HugeStepsDoNotOverflow) {
    EXPECT_RENDERS(
        "{{ range(9223372036854775800, 9223372036854775807, 5)|list }} "
        "{{ [1,2,3,4,5,6,7][5::9223372036854775807] }} {{ [1,2,3][::-9223372036854775807] }}",
        "[9223372036854775800, 9223372036854775805] [6] [3]");
}

}  // namespace
}  // namespace lamina::chat
