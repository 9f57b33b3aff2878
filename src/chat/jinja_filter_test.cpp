// Jinja tests (`is ...`) and filters with jinja2's semantics and Hugging Face's tojson.
// Expected texts are jinja2 3.1's renderings (ImmutableSandboxedEnvironment, trim_blocks,
// lstrip_blocks, loopcontrols) of the same templates.
#include <gtest/gtest.h>

#include "chat/chat_test_support.h"

namespace lamina::chat {
namespace {

TEST(JinjaFilter, TypeTests) {
    EXPECT_RENDERS(
        "{{ 'a' is string }} {{ {} is mapping }} {{ [] is iterable }} {{ 'a' is iterable }} {{ 1 "
        "is number }} {{ 1.5 is number }} {{ true is boolean }} {{ none is none }} {{ [] is "
        "sequence }} {{ x is undefined }} {{ 1 is integer }} {{ 1.0 is float }}",
        "True True True True True True True True True True True True");
}

TEST(JinjaFilter, ValueTests) {
    EXPECT_RENDERS(
        "{{ 2 is even }} {{ 3 is odd }} {{ 6 is divisibleby 3 }} {{ 'a' is equalto 'a' }} {{ true "
        "is true }} {{ 1 is true }} {{ false is false }} {{ 0 is false }} {{ 'abc' is lower }} {{ "
        "'ABC' is upper }}",
        "True True True True True False True False True True");
}

TEST(JinjaFilter, TestsWithNot) {
    EXPECT_RENDERS("{{ x is not defined }} {{ 1 is not string }} {{ none is not none }}",
                   "True True False");
}

TEST(JinjaFilter, TojsonDefaults) {
    EXPECT_RENDERS("{{ {'a': [1, 2.5, none, true], 'é': 'ü\\n\"'}|tojson }}",
                   "{\"a\": [1, 2.5, null, true], \"é\": \"ü\\n\\\"\"}");
}

TEST(JinjaFilter, TojsonIndentAndSort) {
    EXPECT_RENDERS("{{ {'b': 1, 'a': {'c': []}}|tojson(indent=2, sort_keys=true) }}",
                   "{\n  \"a\": {\n    \"c\": []\n  },\n  \"b\": 1\n}");
}

TEST(JinjaFilter, TojsonSeparatorsAndAscii) {
    EXPECT_RENDERS("{{ {'a': 'é', 'b': [1, 2]}|tojson(separators=(',', ':'), ensure_ascii=true) }}",
                   "{\"a\":\"\\u00e9\",\"b\":[1,2]}");
}

TEST(JinjaFilter, TrimAndString) {
    EXPECT_RENDERS(
        "[{{ '  x \\n'|trim }}][{{ 'xxhixx'|trim('x') }}][{{ 5|string }}][{{ none|string }}]",
        "[x][hi][5][None]");
}

TEST(JinjaFilter, DefaultFilter) {
    EXPECT_RENDERS(
        "{{ missing|default('d') }} {{ ''|default('e') }} {{ ''|default('e', true) }} {{ "
        "none|default('n') }} {{ 0|d(7, true) }}",
        "d  e None 7");
}

TEST(JinjaFilter, LengthAndCount) {
    EXPECT_RENDERS(
        "{{ 'héllo'|length }} {{ [1, 2]|count }} {{ {'a': 1}|length }} {{ missing|length }}",
        "5 2 1 0");
}

TEST(JinjaFilter, ItemsAndDictsort) {
    EXPECT_RENDERS("{{ d|items|list }} {{ d|dictsort }} {{ d|dictsort(by='value', reverse=true) }}",
                   "[('b', 2), ('a', 3), ('C', 1)] [('a', 3), ('b', 2), ('C', 1)] [('a', 3), ('b', "
                   "2), ('C', 1)]",
                   "{\"d\": {\"b\": 2, \"a\": 3, \"C\": 1}}");
}

TEST(JinjaFilter, JoinAndList) {
    EXPECT_RENDERS(
        "{{ [1, 'a', none]|join(', ') }} {{ 'abc'|list }} {{ users|join('/', attribute='name') }}",
        "1, a, None ['a', 'b', 'c'] x/y", "{\"users\": [{\"name\": \"x\"}, {\"name\": \"y\"}]}");
}

TEST(JinjaFilter, SelectattrRejectattrMap) {
    EXPECT_RENDERS(
        "{{ ms|selectattr('role', 'equalto', 'user')|map(attribute='content')|list }} {{ "
        "ms|rejectattr('role', 'equalto', 'user')|map(attribute='content')|join }} {{ "
        "ms|selectattr('flag')|list|length }}",
        "['u1', 'u2'] a1 1",
        "{\"ms\": [{\"role\": \"user\", \"content\": \"u1\"}, {\"role\": \"assistant\", "
        "\"content\": \"a1\", \"flag\": true}, {\"role\": \"user\", \"content\": \"u2\"}]}");
}

TEST(JinjaFilter, SelectRejectWithTests) {
    EXPECT_RENDERS(
        "{{ [1, 2, 3, 4]|select('odd')|list }} {{ [1, 2, 3, 4]|reject('odd')|list }} {{ [0, 1, '', "
        "'a']|select|list }} {{ ['a', 1]|reject('string')|list }}",
        "[1, 3] [2, 4] [1, 'a'] [1]");
}

TEST(JinjaFilter, MapFilterName) {
    EXPECT_RENDERS(
        "{{ ['a', 'b']|map('upper')|join }} {{ ms|map(attribute='missing', default='\?')|list }}",
        "AB ['\?']", "{\"ms\": [{\"a\": 1}]}");
}

TEST(JinjaFilter, CaseFilters) {
    EXPECT_RENDERS(
        "{{ 'hello World'|upper }} {{ 'Hello'|lower }} {{ 'hello wORLD'|capitalize }} {{ 'hello "
        "big-world (x)'|title }}",
        "HELLO WORLD hello Hello world Hello Big-World (X)");
}

TEST(JinjaFilter, IndentFilter) {
    EXPECT_RENDERS(
        "{{ 'a\\nb\\n\\nc'|indent(2) }}|{{ 'a\\nb'|indent(2, first=true) }}|{{ "
        "'a\\n\\nb'|indent(width='> ', blank=true) }}",
        "a\n  b\n\n  c|  a\n  b|a\n> \n> b");
}

TEST(JinjaFilter, IntAndFloatFilters) {
    EXPECT_RENDERS(
        "{{ '42'|int }} {{ '4.7'|int }} {{ 'x'|int }} {{ 'x'|int(-1) }} {{ 3.9|int }} {{ "
        "'2.5'|float }} {{ 2|float }} {{ ' 12 '|int }}",
        "42 4 0 -1 3 2.5 2.0 12");
}

TEST(JinjaFilter, MinMaxSum) {
    EXPECT_RENDERS(
        "{{ [3, 1, 2]|min }} {{ [3, 1, 2]|max }} {{ ['b', 'A', 'c']|max }} {{ [1, 2, 3]|sum }} {{ "
        "ms|max(attribute='n') }}",
        "1 3 c 6 {'n': 5}", "{\"ms\": [{\"n\": 1}, {\"n\": 5}]}");
}

TEST(JinjaFilter, ReplaceFilter) {
    EXPECT_RENDERS("{{ 'aaa'|replace('a', 'b', 2) }} {{ 'hello'|replace('l', 'L') }}", "bba heLLo");
}

TEST(JinjaFilter, SortAndUnique) {
    EXPECT_RENDERS(
        "{{ [3, 1, 2]|sort }} {{ ['b', 'A', 'c']|sort }} {{ ['b', 'A', "
        "'c']|sort(case_sensitive=true) }} {{ [3, 1, 2]|sort(reverse=true) }} {{ "
        "ms|sort(attribute='n')|map(attribute='n')|list }} {{ [1, 2, 1, 'a', 'A']|unique|list }}",
        "[1, 2, 3] ['A', 'b', 'c'] ['A', 'b', 'c'] [3, 2, 1] [1, 2] [1, 2, 'a']",
        "{\"ms\": [{\"n\": 2}, {\"n\": 1}]}");
}

TEST(JinjaFilter, FirstLastReverse) {
    EXPECT_RENDERS(
        "{{ [1, 2, 3]|first }} {{ [1, 2, 3]|last }} {{ 'abc'|first }} {{ 'abc'|reverse }} {{ [1, "
        "2]|reverse|list }} [{{ []|first }}]",
        "1 3 a cba [2, 1] []");
}

TEST(JinjaFilter, AbsRoundEscape) {
    EXPECT_RENDERS(
        "{{ -3|abs }} {{ 2.567|round(2) }} {{ 2.5|round }} {{ 3.5|round }} {{ 2.1|round(0, 'ceil') "
        "}} {{ '<a href=\"x\">&</a>'|e }}",
        "3 2.57 2.0 4.0 3.0 &lt;a href=&#34;x&#34;&gt;&amp;&lt;/a&gt;");
}

TEST(JinjaFilter, FormatFilterAndWordcount) {
    EXPECT_RENDERS("{{ '%s has %d'|format('x', 3) }} {{ 'one two  three'|wordcount }}",
                   "x has 3 3");
}

TEST(JinjaFilter, SafeMarkupEscapesPlainOperand) {
    EXPECT_RENDERS("{{ '<b>'|safe + '<i>' }} {{ '<i>' + '<b>'|safe }} {{ '<b>'|safe ~ '<i>' }}",
                   "<b>&lt;i&gt; &lt;i&gt;<b> <b><i>");
}

TEST(JinjaFilter, FloatParityAndFilteringNone) {
    EXPECT_RENDERS(
        "{{ 2.5 is even }} {{ 3.0 is odd }} {{ 4.0 is even }} {{ none|map(attribute='a')|list }} "
        "{{ none|selectattr('a')|list }}",
        "False True True [] []");
}

TEST(JinjaFilter, CaseTestsNeedACasedCharacter) {
    EXPECT_RENDERS(
        "{{ [1, 2]|upper is lower }} {{ 'ab1' is lower }} {{ 'A1' is upper }} {{ '12' is upper }} "
        "{{ 'é' is lower }}{% if false %}{{ x|a.b }}{% endif %}",
        "False True True False True");
}

}  // namespace
}  // namespace lamina::chat
