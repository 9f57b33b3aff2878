// Chat prompts: a conversation rendered with a chat template and tokenized as the model sees it.
#include "runtime/chat_prompt.h"

#include "chat/chat_template.h"

namespace lamina {

Expected<std::vector<TokenId>> tokenize_chat(const Tokenizer& tokenizer,
                                             std::string_view template_source,
                                             const chat::Conversation& conv,
                                             bool add_generation_prompt, std::string* text) {
    chat::ChatTemplateInputs in;
    in.messages = conv.messages();
    in.add_generation_prompt = add_generation_prompt;
    if (tokenizer.bos() >= 0) in.bos_token = tokenizer.token_text(tokenizer.bos());
    if (tokenizer.eos() >= 0) in.eos_token = tokenizer.token_text(tokenizer.eos());
    chat::RenderOutcome r = chat::render_chat_template(template_source, in);
    if (!r.ok) return Status::error("chat template: " + r.error);
    // Special tokens the template writes (<|im_start|>, <s>, ...) are tokens, not text.
    std::vector<TokenId> tokens = tokenizer.encode(r.text, false, true);
    const TokenId bos = tokenizer.bos();
    if (tokenizer.add_bos() && bos >= 0 && (tokens.empty() || tokens[0] != bos))
        tokens.insert(tokens.begin(), bos);
    if (text) *text = std::move(r.text);
    return tokens;
}

}  // namespace lamina
