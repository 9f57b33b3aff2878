// Which chat template a command uses: a model's own, a file, or a named built-in.
#include "cli/chat_template_choice.h"

#include <fstream>
#include <sstream>

#include "chat/chat_template.h"

namespace lamina::cli {

Expected<ChatTemplateChoice> chat_template_of_model(const GgufReader& gguf) {
    if (auto source = gguf.get_string("tokenizer.chat_template"); source && !source->empty()) {
        return ChatTemplateChoice{*source, "the model's tokenizer.chat_template", false};
    }
    const GgufValue* tokens = gguf.find("tokenizer.ggml.tokens");
    if (tokens) {
        if (auto name = chat::builtin_template_for_vocabulary(tokens->strs)) {
            return ChatTemplateChoice{std::string(*chat::builtin_template(*name)),
                                      "built-in '" + std::string(*name) +
                                          "' (chosen from the vocabulary's special tokens)",
                                      true};
        }
    }
    return Status::error(
        gguf.path() +
        " has no chat template (tokenizer.chat_template) and no known chat tokens; give one with "
        "--chat-template NAME or --chat-template-file FILE");
}

Expected<ChatTemplateChoice> chat_template_from_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::error("cannot read chat template file " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return Status::error("cannot read chat template file " + path);
    return ChatTemplateChoice{ss.str(), "template file " + path, false};
}

Expected<ChatTemplateChoice> chat_template_by_name(const std::string& name) {
    // As llama.cpp's --chat-template, the value may also be a template itself.
    if (name.find("{{") != std::string::npos || name.find("{%") != std::string::npos) {
        return ChatTemplateChoice{name, "the template given with --chat-template", false};
    }
    if (auto source = chat::builtin_template(name)) {
        return ChatTemplateChoice{std::string(*source), "built-in '" + name + "'", false};
    }
    std::string names;
    for (std::string_view n : chat::builtin_template_names())
        names += (names.empty() ? "" : ", ") + std::string(n);
    return Status::error("unknown chat template '" + name + "' (built-in: " + names + ")");
}

SpecialTokenTexts special_token_texts(const GgufReader& gguf) {
    SpecialTokenTexts texts;
    const GgufValue* tokens = gguf.find("tokenizer.ggml.tokens");
    if (!tokens) return texts;
    auto text_of = [&](const char* key) -> std::string {
        auto id = gguf.get_uint(key);
        if (!id || *id >= tokens->strs.size()) return "";
        return tokens->strs[*id];
    };
    texts.bos = text_of("tokenizer.ggml.bos_token_id");
    texts.eos = text_of("tokenizer.ggml.eos_token_id");
    return texts;
}

}  // namespace lamina::cli
