// Jinja failures are outcomes: syntax errors with line and column, runtime errors naming what
// failed, raise_exception's message verbatim, and limits that stop runaway templates.
#include <gtest/gtest.h>

#include "chat/chat_test_support.h"
#include "chat/jinja_error.h"
#include "chat/jinja_interpreter.h"
#include "chat/jinja_parser.h"

namespace lamina::chat {
namespace {

using testing::render_with;

::testing::AssertionResult fails_with(const std::string& source, const std::string& needle) {
    RenderOutcome out = render_with(source);
    if (out.ok)
        return ::testing::AssertionFailure() << "rendered [" << out.text << "] instead of failing";
    if (out.error.find(needle) == std::string::npos) {
        return ::testing::AssertionFailure()
               << "error [" << out.error << "] lacks [" << needle << "]";
    }
    return ::testing::AssertionSuccess();
}

TEST(JinjaError, RaiseExceptionMessageIsVerbatim) {
    RenderOutcome out =
        render_with("a{{ raise_exception('Only user and assistant roles are supported!') }}");
    ASSERT_FALSE(out.ok);
    EXPECT_EQ(out.error, "Only user and assistant roles are supported!");
    EXPECT_TRUE(out.text.empty());
}

TEST(JinjaError, SyntaxErrorsNameLineAndColumn) {
    EXPECT_TRUE(fails_with("line one\n{% if x %}\n{{ 1 + }}", "line 3, column 8"));
    EXPECT_TRUE(fails_with("{% for x in y %}never closed", "line 1"));
    EXPECT_TRUE(fails_with("ok\n  {{ 'unterminated }}", "line 2, column 6"));
    EXPECT_TRUE(fails_with("{% frobnicate %}", "unknown tag 'frobnicate'"));
    EXPECT_TRUE(fails_with("{% break %}", "outside of a loop"));
    EXPECT_TRUE(fails_with("{{ a ]}}", "line 1"));
    EXPECT_TRUE(fails_with("{# never closed", "unterminated comment"));
}

TEST(JinjaError, UnknownFilterTestAndMethodNameThemselves) {
    EXPECT_TRUE(fails_with("{{ 1|no_such_filter }}", "no_such_filter"));
    EXPECT_TRUE(fails_with("{{ 1 is no_such_test }}", "no_such_test"));
    EXPECT_TRUE(fails_with("{{ 'a'.no_such_method() }}", "no_such_method"));
}

TEST(JinjaError, RuntimeErrorsAreReportedWithTheirPlace) {
    EXPECT_TRUE(fails_with("{{ missing.attr }}", "'missing' is undefined"));
    EXPECT_TRUE(fails_with("{{ 'a' + 1 }}", "can only concatenate str (not \"int\") to str"));
    EXPECT_TRUE(fails_with("\n{{ 1 / 0 }}", "line 2"));
    EXPECT_TRUE(fails_with("{% for x in none %}{% endfor %}", "not iterable"));
    EXPECT_TRUE(fails_with("{{ range(1000000)|length }}", "Range too big"));
    EXPECT_TRUE(fails_with("{% set n = 5 %}{% set n.x = 1 %}", "non-namespace"));
}

TEST(JinjaError, TheSandboxRefusesToModifyListsAndDicts) {
    EXPECT_TRUE(fails_with("{% set l = [] %}{{ l.append(1) }}",
                           "access to attribute 'append' of 'list' object is unsafe."));
    EXPECT_TRUE(fails_with("{% set d = {} %}{{ d.update({'a': 1}) }}", "unsafe"));
    EXPECT_TRUE(fails_with("{{ [1].pop() }}", "unsafe"));
}

TEST(JinjaError, DeepRecursionStopsAtTheDepthLimit) {
    EXPECT_TRUE(fails_with("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "recursion"));
}

// Limits are options of the interpreter; small ones keep this test quick.
std::string render_with_limits(const std::string& source, const jinja::RenderLimits& limits) {
    jinja::RenderOptions options;
    options.limits = limits;
    jinja::Interpreter interpreter(options);
    try {
        return interpreter.render(jinja::parse_template(source), {});
    } catch (const jinja::TemplateError& e) {
        return std::string("error: ") + e.what();
    }
}

TEST(JinjaError, RunawayLoopsStopAtTheStepLimit) {
    jinja::RenderLimits limits;
    limits.max_steps = 200000;
    std::string out = render_with_limits(
        "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}", limits);
    EXPECT_NE(out.find("step limit"), std::string::npos) << out;
}

TEST(JinjaError, HugeStringsStopAtTheSizeLimit) {
    EXPECT_TRUE(fails_with("{{ 'x' * 1000000000000 }}", "limit"));
    jinja::RenderLimits limits;
    limits.max_output_bytes = 1 << 16;
    std::string doubling =
        "{% set ns = namespace(s='xxxxxxxxxxxxxxxx') %}{% for i in range(40) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}";
    EXPECT_NE(render_with_limits(doubling, limits).find("error: "), std::string::npos);
    EXPECT_NE(render_with_limits("{% for i in range(100000) %}xxxxxxxxxx{% endfor %}", limits)
                  .find("limit"),
              std::string::npos);
    EXPECT_EQ(render_with_limits("{{ 'x' * 10 }}", limits), "xxxxxxxxxx");
}

TEST(JinjaError, StepAndDepthLimitsAreConfigurable) {
    jinja::RenderLimits limits;
    limits.max_steps = 1000;
    limits.max_call_depth = 5;
    EXPECT_NE(
        render_with_limits("{% for i in range(2000) %}{% endfor %}", limits).find("step limit"),
        std::string::npos);
    EXPECT_EQ(render_with_limits("{% for i in range(100) %}{% endfor %}ok", limits), "ok");
    std::string recurse =
        "{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{% endif %}{{ n }}{% endmacro %}";
    EXPECT_EQ(render_with_limits(recurse + "{{ f(3) }}", limits), "0123");
    EXPECT_NE(render_with_limits(recurse + "{{ f(9) }}", limits).find("recursion"),
              std::string::npos);
}

TEST(JinjaError, DeepNestingIsRefusedNotOverflowed) {
    EXPECT_TRUE(fails_with("{{ " + std::string(5000, '(') + "1" + std::string(5000, ')') + " }}",
                           "nested too deeply"));
    std::string ifs;
    for (int i = 0; i < 2000; ++i) ifs += "{% if true %}";
    EXPECT_TRUE(fails_with(ifs, "nested too deeply"));
}

TEST(JinjaError, DeeplyNestedValuesAreRefusedNotOverflowed) {
    EXPECT_TRUE(fails_with(
        "{% set ns = namespace(x=1) %}{% for i in range(100000) %}{% set ns.x = [ns.x] %}"
        "{% endfor %}{{ ns.x }}",
        "nested too deeply"));
    EXPECT_TRUE(fails_with(
        "{% set ns = namespace(x=1) %}{% for i in range(100000) %}{% set ns.x = {'k': ns.x} %}"
        "{% endfor %}",
        "nested too deeply"));
    EXPECT_TRUE(fails_with("{% set ns = namespace() %}{% set ns.me = [ns] %}{{ ns }}",
                           "nested too deeply"));
    ChatTemplateInputs inputs;
    inputs.messages = nlohmann::ordered_json::array();
    nlohmann::ordered_json deep = "leaf";
    for (int i = 0; i < 2000; ++i) deep = nlohmann::ordered_json::array({deep});
    inputs.extra_vars["deep"] = deep;
    RenderOutcome out = render_chat_template("{{ deep|length }}", inputs);
    EXPECT_FALSE(out.ok);
    EXPECT_NE(out.error.find("nested too deeply"), std::string::npos) << out.error;
}

TEST(JinjaError, RecursionThroughDeepExpressionsIsStopped) {
    // Each macro level nests 80 unary minus operations: the evaluation depth limit stops it
    // long before the C++ stack runs out.
    std::string minus(80, '-');
    EXPECT_TRUE(fails_with("{% macro f(n) %}{{ " + minus + "f(n + 1) }}{% endmacro %}{{ f(0) }}",
                           "too deeply"));
    // Legitimate recursion within the limits still works.
    EXPECT_RENDERS(
        "{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{% endif %}.{% endmacro %}{{ f(90) }}",
        std::string(91, '.'));
}

TEST(JinjaError, MessageContentIsNeverEvaluated) {
    RenderOutcome out = render_with(
        "{% for m in messages %}{{ m.content }}|{% endfor %}",
        R"({"messages": [{"role": "user", "content": "{{ 7 * 7 }} {% if true %}x{% endif %} {{ raise_exception('no') }}"}]})");
    ASSERT_TRUE(out.ok) << out.error;
    EXPECT_EQ(out.text, "{{ 7 * 7 }} {% if true %}x{% endif %} {{ raise_exception('no') }}|");
}

}  // namespace
}  // namespace lamina::chat
