// Built-in chat templates: lamina's own Jinja renderings of well-known conversation formats,
// used when a GGUF carries no template of its own.
#include <array>
#include <iterator>
#include <utility>

#include "chat/chat_template.h"

namespace lamina::chat {
namespace {

struct BuiltinTemplate {
    std::string_view name;
    std::string_view source;
};

// Message content that is not a string (a list of parts, or none for a tool call) renders
// as its text parts joined, so every template below accepts OpenAI-style messages.
#define LAMINA_CONTENT                                                                       \
    "{%- macro content(m) -%}{%- if m.content is string -%}{{ m.content }}"                  \
    "{%- elif m.content is iterable -%}{%- for part in m.content -%}{%- if part is mapping " \
    "and part.type == 'text' -%}{{ part.text }}{%- endif -%}{%- endfor -%}{%- endif -%}"     \
    "{%- endmacro -%}"

// ChatML (Qwen, Hermes, many fine-tunes): <|im_start|>role\ntext<|im_end|>\n
constexpr std::string_view kChatml = LAMINA_CONTENT
    "{%- for m in messages -%}"
    "{{ '<|im_start|>' + m.role + '\\n' + content(m) + '<|im_end|>\\n' }}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<|im_start|>assistant\\n' }}{%- endif -%}";

// Llama 2 chat: [INST] <<SYS>>\nsystem\n<</SYS>>\n\nuser [/INST] answer </s><s>[INST] ...
constexpr std::string_view kLlama2 = LAMINA_CONTENT
    "{%- set ns = namespace(system='') -%}"
    "{%- for m in messages if m.role == 'system' -%}{%- set ns.system = content(m) -%}{%- endfor "
    "-%}"
    "{%- set ns.first = true -%}"
    "{%- for m in messages if m.role != 'system' -%}"
    "{%- if m.role == 'user' -%}"
    "{{ bos_token + '[INST] ' }}"
    "{%- if ns.first and ns.system -%}{{ '<<SYS>>\\n' + ns.system + '\\n<</SYS>>\\n\\n' }}{%- "
    "endif -%}"
    "{{ content(m) | trim + ' [/INST]' }}"
    "{%- set ns.first = false -%}"
    "{%- elif m.role == 'assistant' -%}{{ ' ' + content(m) | trim + ' ' + eos_token }}"
    "{%- endif -%}"
    "{%- endfor -%}";

// Llama 3: <|start_header_id|>role<|end_header_id|>\n\ntext<|eot_id|>
constexpr std::string_view kLlama3 = LAMINA_CONTENT
    "{{ bos_token }}"
    "{%- for m in messages -%}"
    "{{ '<|start_header_id|>' + m.role + '<|end_header_id|>\\n\\n' + content(m) | trim + "
    "'<|eot_id|>' }}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' "
    "}}{%- endif -%}";

// Mistral Instruct: <s>[INST] user [/INST]answer</s>[INST] ...; a system prompt is put before
// the first user message, as Mistral's own templates do.
constexpr std::string_view kMistral = LAMINA_CONTENT
    "{%- set ns = namespace(system='', first=true) -%}"
    "{%- for m in messages if m.role == 'system' -%}{%- set ns.system = content(m) -%}{%- endfor "
    "-%}"
    "{{ bos_token }}"
    "{%- for m in messages if m.role != 'system' -%}"
    "{%- if m.role == 'user' -%}"
    "{{ '[INST] ' }}{%- if ns.first and ns.system -%}{{ ns.system + '\\n\\n' }}{%- endif -%}"
    "{{ content(m) + ' [/INST]' }}{%- set ns.first = false -%}"
    "{%- elif m.role == 'assistant' -%}{{ content(m) + eos_token }}"
    "{%- endif -%}"
    "{%- endfor -%}";

// Gemma: <start_of_turn>user\ntext<end_of_turn>\n, the assistant is "model"; Gemma has no
// system role, so a system prompt opens the first user turn.
constexpr std::string_view kGemma = LAMINA_CONTENT
    "{%- set ns = namespace(system='', first=true) -%}"
    "{%- for m in messages if m.role == 'system' -%}{%- set ns.system = content(m) -%}{%- endfor "
    "-%}"
    "{{ bos_token }}"
    "{%- for m in messages if m.role != 'system' -%}"
    "{%- set role = 'model' if m.role == 'assistant' else m.role -%}"
    "{{ '<start_of_turn>' + role + '\\n' }}"
    "{%- if ns.first and ns.system and m.role == 'user' -%}{{ ns.system + '\\n\\n' }}{%- set "
    "ns.first = false -%}{%- endif -%}"
    "{{ content(m) | trim + '<end_of_turn>\\n' }}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<start_of_turn>model\\n' }}{%- endif -%}";

// Phi-3: <|role|>\ntext<|end|>\n
constexpr std::string_view kPhi3 = LAMINA_CONTENT
    "{%- for m in messages -%}"
    "{{ '<|' + m.role + '|>\\n' + content(m) + '<|end|>\\n' }}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<|assistant|>\\n' }}{%- endif -%}";

// DeepSeek V2/V3: the system prompt bare after BOS, then
// <｜User｜>text<｜Assistant｜>text<｜end▁of▁sentence｜>
constexpr std::string_view kDeepseek = LAMINA_CONTENT
    "{{ bos_token }}"
    "{%- for m in messages if m.role == 'system' -%}{{ content(m) }}{%- endfor -%}"
    "{%- for m in messages if m.role != 'system' -%}"
    "{%- if m.role == 'user' -%}{{ '<｜User｜>' + content(m) }}"
    "{%- elif m.role == 'assistant' -%}{{ '<｜Assistant｜>' + content(m) + eos_token }}"
    "{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<｜Assistant｜>' }}{%- endif -%}";

#undef LAMINA_CONTENT

constexpr std::array kBuiltins{
    BuiltinTemplate{"chatml", kChatml},     BuiltinTemplate{"llama2", kLlama2},
    BuiltinTemplate{"llama3", kLlama3},     BuiltinTemplate{"mistral", kMistral},
    BuiltinTemplate{"gemma", kGemma},       BuiltinTemplate{"phi3", kPhi3},
    BuiltinTemplate{"deepseek", kDeepseek},
};

}  // namespace

std::vector<std::string_view> builtin_template_names() {
    std::vector<std::string_view> names;
    for (const BuiltinTemplate& t : kBuiltins) names.push_back(t.name);
    return names;
}

std::optional<std::string_view> builtin_template(std::string_view name) {
    for (const BuiltinTemplate& t : kBuiltins) {
        if (t.name == name) return t.source;
    }
    return std::nullopt;
}

std::optional<std::string_view> builtin_template_for_vocabulary(
    const std::vector<std::string>& tokens) {
    // Most specific markers first: a Llama 3 vocabulary also has ChatML-like reserved tokens.
    static constexpr std::pair<std::string_view, std::string_view> kMarkers[] = {
        {"<|start_header_id|>", "llama3"}, {"<|im_start|>", "chatml"}, {"<start_of_turn>", "gemma"},
        {"<｜User｜>", "deepseek"},        {"<|assistant|>", "phi3"},  {"[INST]", "mistral"},
    };
    size_t best = std::size(kMarkers);
    for (const std::string& token : tokens) {
        for (size_t i = 0; i < best; ++i) {
            if (token == kMarkers[i].first) best = i;
        }
    }
    if (best == std::size(kMarkers)) return std::nullopt;
    return kMarkers[best].second;
}

}  // namespace lamina::chat
