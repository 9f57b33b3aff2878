// Renders every golden case of ../shared/chat (real Hugging Face templates rendered by Python's
// jinja2) and checks the text byte for byte, or the failure where the case fails.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "chat/chat_template.h"
#include "testing/shared_data.h"

namespace lamina::chat {
namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The date the goldens were rendered with: 2026-01-15 12:00:00 (a Thursday).
std::tm golden_date() {
    std::tm t{};
    t.tm_year = 2026 - 1900;
    t.tm_mon = 0;
    t.tm_mday = 15;
    t.tm_hour = 12;
    t.tm_wday = 4;
    t.tm_yday = 14;
    return t;
}

TEST(ChatTemplateCases, EveryGoldenCaseRendersAsJinja2Does) {
    LAMINA_SHARED_FILE_OR_SKIP(cases_path, "chat/cases.json");
    auto cases = nlohmann::ordered_json::parse(read_file(cases_path));
    ASSERT_TRUE(cases.is_array());
    ASSERT_EQ(cases.size(), 341u);
    size_t passed = 0;
    std::vector<std::string> failures;
    for (const auto& c : cases) {
        std::string name =
            c["template"].get<std::string>() + "/" + c["conversation"].get<std::string>();
        std::string source = read_file(lamina::testing::shared_dir() + "/chat/templates/" +
                                       c["template"].get<std::string>() + ".jinja");
        ASSERT_FALSE(source.empty()) << name;
        ChatTemplateInputs inputs;
        inputs.messages = c["messages"];
        inputs.tools = c["tools"];
        inputs.add_generation_prompt = c["add_generation_prompt"].get<bool>();
        inputs.bos_token = c["bos_token"].get<std::string>();
        inputs.eos_token = c["eos_token"].get<std::string>();
        inputs.now = golden_date();
        RenderOutcome out = render_chat_template(source, inputs);
        bool ok;
        std::string detail;
        if (c["error"].is_null()) {
            std::string expected = c["expected"].get<std::string>();
            ok = out.ok && out.text == expected;
            if (!out.ok) {
                detail = "failed: " + out.error;
            } else if (!ok) {
                size_t at = 0;
                while (at < expected.size() && at < out.text.size() && expected[at] == out.text[at])
                    ++at;
                detail = "differs at byte " + std::to_string(at) + ": expected [" +
                         expected.substr(at, 60) + "] got [" + out.text.substr(at, 60) + "]";
            }
        } else {
            ok = !out.ok;
            if (ok && c["error_kind"] == "raise_exception")
                ok = out.error == c["error"].get<std::string>();
            if (!ok)
                detail = "expected error [" + c["error"].get<std::string>() + "] got " +
                         (out.ok ? "success" : "[" + out.error + "]");
        }
        if (ok) {
            ++passed;
        } else {
            failures.push_back(name + ": " + detail);
        }
    }
    std::printf("chat template cases: %zu/%zu pass\n", passed, cases.size());
    for (const auto& f : failures) ADD_FAILURE() << f;
    EXPECT_EQ(passed, cases.size());
}

// The limits must not stop real templates on long conversations: Gemma 4's template looks back
// over all earlier messages for each one (quadratic), which jinja2 renders without complaint.
TEST(ChatTemplateCases, LongConversationsStayWithinTheLimits) {
    LAMINA_SHARED_FILE_OR_SKIP(path, "chat/templates/google-gemma-4-31B-it.jinja");
    ChatTemplateInputs inputs;
    inputs.messages.push_back({{"role", "system"}, {"content", "Be brief."}});
    for (int i = 0; i < 500; ++i) {
        inputs.messages.push_back({{"role", "user"}, {"content", "question " + std::to_string(i)}});
        inputs.messages.push_back(
            {{"role", "assistant"}, {"content", "answer " + std::to_string(i)}});
    }
    inputs.now = golden_date();
    RenderOutcome out = render_chat_template(read_file(path), inputs);
    ASSERT_TRUE(out.ok) << out.error;
    EXPECT_NE(out.text.find("question 499"), std::string::npos);
}

}  // namespace
}  // namespace lamina::chat
