// Jinja whitespace control, comments, raw blocks and newline handling, checked against Python's
// jinja2. Expected texts are jinja2 3.1's renderings (ImmutableSandboxedEnvironment, trim_blocks,
// lstrip_blocks, loopcontrols) of the same templates.
#include <gtest/gtest.h>

#include "chat/chat_test_support.h"

namespace lamina::chat {
namespace {

TEST(JinjaSyntax, TrimBlocksDropsNewlineAfterBlock) {
    EXPECT_RENDERS("{% if true %}\nyes\n{% endif %}\nend", "yes\nend");
}

TEST(JinjaSyntax, LstripBlocksStripsIndentBeforeBlock) {
    EXPECT_RENDERS("a\n    {% if true %}\n    b\n    {% endif %}\nc", "a\n    b\nc");
}

TEST(JinjaSyntax, MinusStripsBothSides) {
    EXPECT_RENDERS("a   {%- if true -%}   b   {%- endif -%}   c", "abc");
}

TEST(JinjaSyntax, PlusDisablesLstripAndTrim) {
    EXPECT_RENDERS("a\n  {%+ if true +%}\nb\n  {%+ endif %}\nc", "a\n  \nb\n  c");
}

TEST(JinjaSyntax, VariableTagsAreNotTrimmed) {
    EXPECT_RENDERS("a\n  {{ 'x' }}\nb", "a\n  x\nb");
}

TEST(JinjaSyntax, VariableMinusStrips) {
    EXPECT_RENDERS("a  \n {{- 'x' -}} \n b", "axb");
}

TEST(JinjaSyntax, CommentsAreDroppedWithTrim) {
    EXPECT_RENDERS("a\n  {# note #}\nb {#- x -#} c", "a\nbc");
}

TEST(JinjaSyntax, OneTrailingNewlineDropped) {
    EXPECT_RENDERS("text\n\n", "text\n");
}

TEST(JinjaSyntax, CrLfBecomesLf) {
    EXPECT_RENDERS("a\r\nb\r\n", "a\nb");
}

TEST(JinjaSyntax, RawBlockIsText) {
    EXPECT_RENDERS("{% raw %}{{ not evaluated }}{% endraw %}", "{{ not evaluated }}");
}

TEST(JinjaSyntax, LstripOnlyAtLineStart) {
    EXPECT_RENDERS("x {% if true %}y{% endif %}", "x y");
}

TEST(JinjaSyntax, RawBlockWhitespace) {
    // jinja2: no trim_blocks after {% raw %}, lstrip_blocks before {% endraw %}.
    EXPECT_RENDERS("a\n  {% raw %}\n  {{ x }}\n  {% endraw %}\nb", "a\n\n  {{ x }}\nb");
    EXPECT_RENDERS("a {%- raw -%}  {{ x }}  {%- endraw -%} b", "a{{ x }}b");
    EXPECT_RENDERS("{% raw -%}\n\n a{% endraw %}", "a");
}

}  // namespace
}  // namespace lamina::chat
