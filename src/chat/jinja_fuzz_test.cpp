// Fuzz-style robustness: random bytes, random token soups and mutated real templates never
// crash the engine and always give an outcome (text, or a non-empty error). Fixed seeds.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "chat/chat_template.h"

namespace lamina::chat {
namespace {

ChatTemplateInputs fuzz_inputs() {
    ChatTemplateInputs inputs;
    inputs.messages = nlohmann::ordered_json::parse(
        R"([{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi {{ x }}"},
            {"role": "assistant", "content": null, "tool_calls": [{"type": "function",
             "function": {"name": "f", "arguments": {"a": 1}}}]}])");
    inputs.tools =
        nlohmann::ordered_json::parse(R"([{"type": "function", "function": {"name": "f"}}])");
    inputs.bos_token = "<s>";
    inputs.eos_token = "</s>";
    return inputs;
}

void expect_outcome(const std::string& source, const ChatTemplateInputs& inputs) {
    RenderOutcome out = render_chat_template(source, inputs);
    if (out.ok) {
        EXPECT_TRUE(out.error.empty());
    } else {
        EXPECT_FALSE(out.error.empty()) << "no error message for: " << source;
        EXPECT_TRUE(out.text.empty());
    }
}

TEST(ChatTemplateFuzz, RandomBytesNeverCrash) {
    std::mt19937 rng(1234);
    ChatTemplateInputs inputs = fuzz_inputs();
    const std::string specials = "{}%#-+|.()[]'\"\n ";
    for (int i = 0; i < 2000; ++i) {
        std::string s(rng() % 64, '\0');
        for (char& c : s) {
            c = (rng() % 2) ? specials[rng() % specials.size()] : static_cast<char>(rng() % 256);
        }
        expect_outcome(s, inputs);
    }
}

TEST(ChatTemplateFuzz, RandomTokenSoupsNeverCrash) {
    static const std::vector<std::string> tokens = {"{{",
                                                    "}}",
                                                    "{%",
                                                    "%}",
                                                    "{%-",
                                                    "-%}",
                                                    "{{-",
                                                    "-}}",
                                                    "{#",
                                                    "#}",
                                                    "if",
                                                    "elif",
                                                    "else",
                                                    "endif",
                                                    "for",
                                                    "in",
                                                    "endfor",
                                                    "set",
                                                    "endset",
                                                    "macro",
                                                    "endmacro",
                                                    "call",
                                                    "endcall",
                                                    "filter",
                                                    "endfilter",
                                                    "break",
                                                    "continue",
                                                    "generation",
                                                    "endgeneration",
                                                    "raw",
                                                    "endraw",
                                                    "not",
                                                    "and",
                                                    "or",
                                                    "is",
                                                    "defined",
                                                    "none",
                                                    "string",
                                                    "mapping",
                                                    "true",
                                                    "false",
                                                    "=",
                                                    "==",
                                                    "!=",
                                                    "<",
                                                    ">",
                                                    "+",
                                                    "-",
                                                    "*",
                                                    "/",
                                                    "//",
                                                    "%",
                                                    "**",
                                                    "~",
                                                    "(",
                                                    ")",
                                                    "[",
                                                    "]",
                                                    "{",
                                                    "}",
                                                    ",",
                                                    ":",
                                                    ".",
                                                    "|",
                                                    "x",
                                                    "ns",
                                                    "loop",
                                                    "index",
                                                    "last",
                                                    "messages",
                                                    "m",
                                                    "content",
                                                    "role",
                                                    "tools",
                                                    "namespace",
                                                    "range",
                                                    "raise_exception",
                                                    "tojson",
                                                    "length",
                                                    "trim",
                                                    "join",
                                                    "items",
                                                    "map",
                                                    "selectattr",
                                                    "attribute",
                                                    "'a'",
                                                    "\"b\"",
                                                    "0",
                                                    "1",
                                                    "-1",
                                                    "2.5",
                                                    "100000",
                                                    "x.y",
                                                    "split",
                                                    "strip",
                                                    "format",
                                                    "replace",
                                                    " ",
                                                    "\n",
                                                    "text",
                                                    "'{}'",
                                                    "'%s'",
                                                    "upper",
                                                    "dictsort",
                                                    "caller"};
    std::mt19937 rng(42);
    ChatTemplateInputs inputs = fuzz_inputs();
    for (int i = 0; i < 3000; ++i) {
        std::string s;
        size_t n = 1 + rng() % 40;
        for (size_t k = 0; k < n; ++k) {
            s += tokens[rng() % tokens.size()];
            if (rng() % 3 == 0) s += ' ';
        }
        expect_outcome(s, inputs);
    }
}

// Real templates with random cuts, duplications and byte changes reach deep into the parser
// and interpreter with almost-valid input.
TEST(ChatTemplateFuzz, MutatedBuiltinTemplatesNeverCrash) {
    std::mt19937 rng(7);
    ChatTemplateInputs inputs = fuzz_inputs();
    std::vector<std::string_view> names = builtin_template_names();
    for (int i = 0; i < 2000; ++i) {
        std::string s(*builtin_template(names[rng() % names.size()]));
        int mutations = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < mutations && !s.empty(); ++k) {
            size_t at = rng() % s.size();
            size_t len = std::min<size_t>(1 + rng() % 12, s.size() - at);
            switch (rng() % 3) {
                case 0:
                    s.erase(at, len);
                    break;
                case 1:
                    s.insert(at, s.substr(rng() % s.size(), len));
                    break;
                default:
                    s[at] = static_cast<char>(rng() % 128);
                    break;
            }
        }
        expect_outcome(s, inputs);
    }
}

}  // namespace
}  // namespace lamina::chat
