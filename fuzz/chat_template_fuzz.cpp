// Fuzz harness: the chat-template engine (Jinja lexer, parser and interpreter). The first byte
// picks a conversation (plain, with tools, with tool calls and reasoning, empty); the rest is the
// template source. Every input must come back as a rendered text or a one-outcome error: no
// crash, no hang past the engine's step limit, no sanitizer report.
// fuzz-dict: jinja
#include <string>
#include <string_view>

#include "chat/chat_template.h"
#include "fuzz/fuzz_target.h"

namespace {

using namespace lamina;

chat::ChatTemplateInputs conversation(uint8_t pick) {
    using J = nlohmann::ordered_json;
    chat::ChatTemplateInputs in;
    in.bos_token = "<s>";
    in.eos_token = "</s>";
    in.add_generation_prompt = (pick & 4) == 0;
    switch (pick % 4) {
        case 0:
            in.messages = J::array({{{"role", "system"}, {"content", "Be brief."}},
                                    {{"role", "user"}, {"content", "Hi {{ x }} {% if %}"}}});
            break;
        case 1:
            in.messages = J::array({{{"role", "user"}, {"content", "Weather in Paris?"}}});
            in.tools = J::array(
                {{{"type", "function"},
                  {"function",
                   {{"name", "get_weather"},
                    {"parameters",
                     {{"type", "object"}, {"properties", {{"city", {{"type", "string"}}}}}}}}}}});
            break;
        case 2:
            in.messages = J::array(
                {{{"role", "user"}, {"content", "Weather?"}},
                 {{"role", "assistant"},
                  {"content", ""},
                  {"reasoning_content", "think"},
                  {"tool_calls",
                   J::array({{{"type", "function"},
                              {"function",
                               {{"name", "get_weather"}, {"arguments", {{"city", "Paris"}}}}}}})}},
                 {{"role", "tool"}, {"content", "sunny"}}});
            break;
        default:
            in.messages = J::array();
            in.extra_vars = {{"enable_thinking", false}};
            break;
    }
    return in;
}

void one_input(const uint8_t* data, size_t size) {
    if (size < 1) return;
    const std::string_view source(reinterpret_cast<const char*>(data + 1), size - 1);
    const chat::RenderOutcome out = chat::render_chat_template(source, conversation(data[0]));
    LAMINA_FUZZ_CHECK(out.ok || !out.error.empty(), "a failed render without a message");
}

// Seeds: every built-in template under each conversation.
std::vector<fuzz::Input> seeds() {
    std::vector<fuzz::Input> out;
    for (std::string_view name : chat::builtin_template_names()) {
        const std::string_view source = *chat::builtin_template(name);
        for (uint8_t pick = 0; pick < 4; ++pick) {
            fuzz::Input in{pick};
            in.insert(in.end(), source.begin(), source.end());
            out.push_back(std::move(in));
        }
    }
    return out;
}

}  // namespace

LAMINA_FUZZ_TARGET(chat_template, one_input, seeds)
