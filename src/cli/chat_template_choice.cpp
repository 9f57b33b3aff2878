// Chooses the chat template for `lamina chat` and `lamina run --chat`.
#include "cli/chat_template_choice.h"

#include <fstream>
#include <sstream>

#include "chat/chat_template.h"

namespace lamina::cli {

Expected<ChosenTemplate> choose_chat_template(const GgufReader& gguf, const std::string& name,
                                              const std::string& file, const std::string& system) {
    ChosenTemplate t;
    if (!name.empty() && !file.empty())
        return Status::error("give either --chat-template or --chat-template-file, not both");
    if (!file.empty()) {
        std::ifstream f(file, std::ios::binary);
        if (!f) return Status::error("cannot read the chat template file " + file);
        std::stringstream ss;
        ss << f.rdbuf();
        t.source = ss.str();
        t.origin = "file " + file;
    } else if (!name.empty()) {
        auto builtin = chat::builtin_template(name);
        if (!builtin) {
            std::string known;
            for (std::string_view n : chat::builtin_template_names())
                known += (known.empty() ? "" : ", ") + std::string(n);
            return Status::error("unknown chat template '" + name + "' (built in: " + known + ")");
        }
        t.source = std::string(*builtin);
        t.origin = "built-in " + name;
    } else if (auto own = gguf.get_string("tokenizer.chat_template"); own && !own->empty()) {
        t.source = std::move(*own);
        t.origin = "the model's tokenizer.chat_template";
    } else {
        auto chatml = chat::builtin_template("chatml");
        if (!chatml) return Status::error("the built-in chatml template is missing");
        t.source = std::string(*chatml);
        t.origin = "built-in chatml";
        t.notice =
            "the model has no chat template; using chatml (give one with "
            "--chat-template NAME or --chat-template-file FILE)";
    }
    chat::ChatTemplateInputs probe;
    // The system prompt (some templates refuse one) and a user message.
    if (!system.empty()) probe.messages.push_back({{"role", "system"}, {"content", system}});
    probe.messages.push_back({{"role", "user"}, {"content", "Hello"}});
    chat::RenderOutcome r = chat::render_chat_template(t.source, probe);
    if (!r.ok) return Status::error("chat template (" + t.origin + "): " + r.error);
    return t;
}

}  // namespace lamina::cli
