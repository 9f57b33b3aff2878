// The chat template `lamina chat` and `lamina run --chat` use, checked before the chat starts.
#include "cli/chat_template_setup.h"

#include "chat/chat_template.h"
#include "cli/chat_template_choice.h"

namespace lamina::cli {

Expected<ChosenTemplate> choose_chat_template(const GgufReader& gguf, const std::string& name,
                                              const std::string& file, const std::string& system) {
    if (!name.empty() && !file.empty())
        return Status::error("give either --chat-template or --chat-template-file, not both");
    ChosenTemplate t;
    Expected<ChatTemplateChoice> choice = !file.empty()   ? chat_template_from_file(file)
                                          : !name.empty() ? chat_template_by_name(name)
                                                          : chat_template_of_model(gguf);
    if (choice) {
        t.source = std::move(choice->source);
        t.origin = std::move(choice->description);
        if (choice->guessed)
            t.notice = "the model has no chat template; using " + t.origin +
                       " (give one with --chat-template NAME or --chat-template-file FILE)";
    } else if (!file.empty() || !name.empty()) {
        return choice.status();
    } else {
        // A model with neither a template nor known chat tokens still gets a conversation.
        auto chatml = chat::builtin_template("chatml");
        if (!chatml) return Status::error("the built-in chatml template is missing");
        t.source = std::string(*chatml);
        t.origin = "built-in 'chatml'";
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
