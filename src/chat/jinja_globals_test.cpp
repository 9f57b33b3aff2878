// Hugging Face's template globals and tags: strftime_now with an injectable clock, the
// {% generation %} tag, and the variables apply_chat_template passes.
#include <gtest/gtest.h>

#include "chat/chat_test_support.h"

namespace lamina::chat {
namespace {

TEST(ChatGlobals, StrftimeNowUsesTheInjectedClock) {
    ChatTemplateInputs inputs;
    std::tm t{};
    t.tm_year = 2026 - 1900;
    t.tm_mon = 0;
    t.tm_mday = 15;
    t.tm_hour = 12;
    t.tm_wday = 4;
    t.tm_yday = 14;
    inputs.now = t;
    // Python: datetime(2026, 1, 15, 12).strftime(...) gives these.
    RenderOutcome out = render_chat_template(
        "{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%Y-%m-%d %H:%M:%S') }}|{{ "
        "strftime_now('%A %B') }}",
        inputs);
    ASSERT_TRUE(out.ok) << out.error;
    EXPECT_EQ(out.text, "15 Jan 2026|2026-01-15 12:00:00|Thursday January");
}

TEST(ChatGlobals, StrftimeNowDefaultsToTheRealClock) {
    RenderOutcome out = render_chat_template("{{ strftime_now('%Y') }}", ChatTemplateInputs{});
    ASSERT_TRUE(out.ok) << out.error;
    EXPECT_EQ(out.text.size(), 4u);
    EXPECT_GE(std::stoi(out.text), 2024);
}

TEST(ChatGlobals, GenerationTagRendersItsBody) {
    EXPECT_RENDERS("a{% generation %}b{{ 1 + 1 }}{% endgeneration %}c", "ab2c");
}

TEST(ChatGlobals, InputsBecomeTheTemplateVariables) {
    ChatTemplateInputs inputs;
    inputs.messages =
        nlohmann::ordered_json::parse(R"([{"role": "user", "content": "hi", "z": 1, "a": 2}])");
    inputs.bos_token = "<s>";
    inputs.eos_token = "</s>";
    inputs.add_generation_prompt = false;
    inputs.extra_vars = {{"enable_thinking", false}};
    RenderOutcome out = render_chat_template(
        "{{ bos_token }}{{ messages[0]|tojson }}{{ add_generation_prompt }}{{ eos_token }}"
        "{{ tools is defined }}{{ enable_thinking }}",
        inputs);
    ASSERT_TRUE(out.ok) << out.error;
    EXPECT_EQ(out.text,
              R"(<s>{"role": "user", "content": "hi", "z": 1, "a": 2}False</s>FalseFalse)");
    inputs.tools = nlohmann::ordered_json::array();
    out = render_chat_template("{{ tools is defined }}", inputs);
    EXPECT_EQ(out.text, "True");
}

TEST(ChatGlobals, NonObjectExtraVariablesAreAnError) {
    ChatTemplateInputs inputs;
    inputs.extra_vars = nlohmann::ordered_json::array();
    RenderOutcome out = render_chat_template("x", inputs);
    EXPECT_FALSE(out.ok);
    EXPECT_FALSE(out.error.empty());
}

}  // namespace
}  // namespace lamina::chat
