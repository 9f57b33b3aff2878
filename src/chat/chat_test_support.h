// Test helpers for the chat template engine: render a template with variables given as JSON.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "chat/chat_template.h"

namespace lamina::chat::testing {

// Renders `source` with the variables of the JSON object `vars_json` (`messages` among them
// goes to the messages input; everything else becomes an extra variable).
inline RenderOutcome render_with(const std::string& source, const std::string& vars_json = "{}") {
    ChatTemplateInputs inputs;
    auto vars = nlohmann::ordered_json::parse(vars_json);
    if (vars.contains("messages")) {
        inputs.messages = vars["messages"];
        vars.erase("messages");
    }
    inputs.extra_vars = vars;
    return render_chat_template(source, inputs);
}

inline ::testing::AssertionResult renders_as(const std::string& source, const std::string& expected,
                                             const std::string& vars_json = "{}") {
    RenderOutcome out = render_with(source, vars_json);
    if (!out.ok) return ::testing::AssertionFailure() << "render failed: " << out.error;
    if (out.text != expected) {
        return ::testing::AssertionFailure()
               << "rendered [" << out.text << "], expected [" << expected << "]";
    }
    return ::testing::AssertionSuccess();
}

}  // namespace lamina::chat::testing

// EXPECT_RENDERS(source, expected[, vars_json]): the template renders exactly `expected`.
#define EXPECT_RENDERS(...) EXPECT_TRUE(::lamina::chat::testing::renders_as(__VA_ARGS__))
