// Python str/dict/list methods called from templates, checked against jinja2.
// Expected texts are jinja2 3.1's renderings (ImmutableSandboxedEnvironment, trim_blocks,
// lstrip_blocks, loopcontrols) of the same templates.
#include <gtest/gtest.h>

#include "chat/chat_test_support.h"

namespace lamina::chat {
namespace {

TEST(JinjaMethod, StringMethods) {
    EXPECT_RENDERS(
        "{{ '  a b  '.strip() }}|{{ 'xxaxx'.strip('x') }}|{{ '  a '.lstrip() }}|{{ ' a  '.rstrip() "
        "}}|{{ 'a,b,,c'.split(',') }}|{{ ' a  b '.split() }}|{{ 'a b c'.split(' ', 1) }}|{{ "
        "'a-b-c'.rsplit('-', 1) }}",
        "a b|a|a | a|['a', 'b', '', 'c']|['a', 'b']|['a', 'b c']|['a-b', 'c']");
}

TEST(JinjaMethod, StringPredicates) {
    EXPECT_RENDERS(
        "{{ 'hello'.startswith('he') }} {{ 'hello'.endswith(('x', 'lo')) }} {{ '123'.isdigit() }} "
        "{{ 'ab'.isalpha() }} {{ 'Ab'.isupper() }} {{ ' \\n'.isspace() }}",
        "True True True True False True");
}

TEST(JinjaMethod, StringTransforms) {
    EXPECT_RENDERS(
        "{{ 'hello'.replace('l', 'L', 1) }} {{ 'hello world'.title() }} {{ 'hELLO'.capitalize() }} "
        "{{ 'MiXed'.upper() }}{{ 'MiXed'.lower() }} {{ 'a'.center(5, '*') }}",
        "heLlo Hello World Hello MIXEDmixed **a**");
}

TEST(JinjaMethod, StringFormatMethod) {
    EXPECT_RENDERS(
        "{{ '{} and {}'.format('a', 'b') }} {{ '{1}{0}'.format('x', 'y') }} {{ "
        "'{name}!'.format(name='n') }} {{ '{:>4}|{:<3}|{:^5}|{:.2f}|{:05d}'.format('r', 'l', 'c', "
        "3.14159, 42) }} {{ '{{}}'.format() }}",
        "a and b yx n!    r|l  |  c  |3.14|00042 {}");
}

TEST(JinjaMethod, StringSearch) {
    EXPECT_RENDERS(
        "{{ 'hello'.find('l') }} {{ 'hello'.rfind('l') }} {{ 'hello'.find('z') }} {{ "
        "'hello'.count('l') }} {{ ', '.join(['a', 'b']) }} {{ 'a\\nb\\r\\nc'.splitlines() }}",
        "2 3 -1 2 a, b ['a', 'b', 'c']");
}

TEST(JinjaMethod, DictMethods) {
    EXPECT_RENDERS(
        "{{ d.keys()|list }} {{ d.values()|list }} {% for k, v in d.items() %}{{ k }}:{{ v }} {% "
        "endfor %}",
        "['x', 'y'] [1, [2]] x:1 y:[2] ", "{\"d\": {\"x\": 1, \"y\": [2]}}");
}

TEST(JinjaMethod, ListMethods) {
    EXPECT_RENDERS("{{ [1, 2, 1].count(1) }} {{ ['a', 'b'].index('b') }}", "2 1");
}

TEST(JinjaMethod, CaseMappingBeyondAscii) {
    EXPECT_RENDERS("{{ 'Łódź Straße ŽŸ'|upper }} {{ 'ŁÓDŹ ŽŸ'|lower }} {{ 'źdźbło'.title() }}",
                   "ŁÓDŹ STRASSE ŽŸ łódź žÿ Źdźbło");
}

}  // namespace
}  // namespace lamina::chat
