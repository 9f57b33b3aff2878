// Which chat template a command uses: a model's own, a file, or a named built-in; and the
// model's BOS/EOS token texts the template is given.
#pragma once

#include <string>

#include "core/status.h"
#include "gguf/gguf_reader.h"

namespace lamina::cli {

struct ChatTemplateChoice {
    std::string source;       // the Jinja text
    std::string description;  // where it came from, for messages ("built-in 'chatml'", ...)
    bool guessed = false;     // a built-in picked from the vocabulary for a GGUF without one
};

// The GGUF's tokenizer.chat_template; without one, the built-in its special tokens point to;
// an error naming the ways out when neither exists.
Expected<ChatTemplateChoice> chat_template_of_model(const GgufReader& gguf);
// A template file's text.
Expected<ChatTemplateChoice> chat_template_from_file(const std::string& path);
// A built-in template by name (or, as llama.cpp allows, a Jinja template given inline); the
// error lists the names.
Expected<ChatTemplateChoice> chat_template_by_name(const std::string& name);

// The texts of the vocabulary's BOS and EOS tokens ("" where the model has none).
struct SpecialTokenTexts {
    std::string bos;
    std::string eos;
};
SpecialTokenTexts special_token_texts(const GgufReader& gguf);

}  // namespace lamina::cli
