// Chat prompts: a conversation rendered with a chat template and tokenized as the model sees it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "chat/conversation.h"
#include "core/status.h"
#include "tokenizer/tokenizer.h"

namespace lamina {

// Renders `conv` with the template (bos_token/eos_token from the vocabulary) and tokenizes the
// text with special tokens parsed; the BOS is added only where the vocabulary wants one and the
// template did not write it. The rendered text goes to `text` when given.
Expected<std::vector<TokenId>> tokenize_chat(const Tokenizer& tokenizer,
                                             std::string_view template_source,
                                             const chat::Conversation& conv,
                                             bool add_generation_prompt = true,
                                             std::string* text = nullptr);

}  // namespace lamina
