// Chat templates: renders a conversation into a prompt with a model's Jinja chat template.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace lamina::chat {

// What a chat template sees, as Hugging Face's apply_chat_template passes it.
struct ChatTemplateInputs {
    // OpenAI-style messages (role, content, optional tool_calls, name, tool_call_id,
    // reasoning_content), in their JSON key order.
    nlohmann::ordered_json messages = nlohmann::ordered_json::array();
    // Tool definitions; null leaves `tools` undefined in the template.
    nlohmann::ordered_json tools = nullptr;
    bool add_generation_prompt = true;
    std::string bos_token;
    std::string eos_token;
    // Extra template variables (e.g. {"enable_thinking": false}); an object.
    nlohmann::ordered_json extra_vars = nlohmann::ordered_json::object();
    // The local time strftime_now() formats; empty means the real clock (tests fix it).
    std::optional<std::tm> now;
};

// The result of a render: the text, or a one-line error (a syntax error names line and column;
// raise_exception's message is given verbatim).
struct RenderOutcome {
    bool ok = false;
    std::string text;
    std::string error;
};

// Parses and renders `template_source` with `inputs`. Never throws; every failure (syntax,
// runtime, step or depth limit) is an error outcome.
RenderOutcome render_chat_template(std::string_view template_source,
                                   const ChatTemplateInputs& inputs);

// Built-in templates for GGUFs that carry none (chatml, llama2, llama3, mistral, gemma, phi3,
// deepseek, ...), by name.
std::vector<std::string_view> builtin_template_names();
std::optional<std::string_view> builtin_template(std::string_view name);

// The built-in template whose turn markers a vocabulary contains ("<|im_start|>" -> chatml,
// "<|start_header_id|>" -> llama3, ...), for GGUFs without a template; nullopt when none does.
std::optional<std::string_view> builtin_template_for_vocabulary(
    const std::vector<std::string>& tokens);

}  // namespace lamina::chat
