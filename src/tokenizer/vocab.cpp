#include "tokenizer/vocab.h"

namespace lamina {

Vocab default_vocab(VocabKind kind) {
    Vocab v;
    v.kind = kind;
    switch (kind) {
        case VocabKind::SentencePiece:
            v.bos = 1, v.eos = 2, v.unk = 0;
            v.add_bos = true;
            v.add_space_prefix = true;
            break;
        case VocabKind::WordPiece:
            v.bos = 101, v.unk = 100, v.sep = 102, v.pad = 0;
            v.add_bos = true;
            break;
        case VocabKind::ByteLevelBpe:
            v.bos = 11, v.eos = 11;
            break;
    }
    return v;
}

Expected<Vocab> vocab_from_gguf(const GgufReader& gguf) {
    const auto model = gguf.get_string("tokenizer.ggml.model");
    if (!model) {
        if (const GgufValue* v = gguf.find("tokenizer.ggml.model"))
            return Status::error(gguf.path() + ": tokenizer.ggml.model has type " +
                                 gguf_type_name(v->type) + " (a string expected)");
        return Status::error(gguf.path() + ": no tokenizer.ggml.model key");
    }
    VocabKind kind;
    if (*model == "llama") {
        kind = VocabKind::SentencePiece;
    } else if (*model == "gpt2") {
        kind = VocabKind::ByteLevelBpe;
    } else if (*model == "bert") {
        kind = VocabKind::WordPiece;
    } else {
        return Status::error(gguf.path() + ": unsupported tokenizer kind '" + *model + "'");
    }
    Vocab v = default_vocab(kind);

    const GgufValue* tokens = gguf.find("tokenizer.ggml.tokens");
    if (!tokens || tokens->type != GgufType::ARRAY || tokens->strs.empty())
        return Status::error(gguf.path() + ": tokenizer.ggml.tokens missing or empty");
    v.tokens = tokens->strs;
    const size_t n = v.tokens.size();
    for (size_t i = 0; i < n; ++i) {
        // As llama.cpp does, give empty tokens a unique placeholder so text lookups stay 1:1.
        if (v.tokens[i].empty()) v.tokens[i] = "[EMPTY_" + std::to_string(i) + "]";
    }

    if (const GgufValue* scores = gguf.find("tokenizer.ggml.scores")) {
        if (scores->floats.size() != n)
            return Status::error(gguf.path() + ": tokenizer.ggml.scores has " +
                                 std::to_string(scores->floats.size()) + " entries, expected " +
                                 std::to_string(n));
        v.scores.assign(scores->floats.begin(), scores->floats.end());
    }
    if (const GgufValue* types = gguf.find("tokenizer.ggml.token_type")) {
        const size_t count = types->ints.size() + types->uints.size();
        if (count != n)
            return Status::error(gguf.path() + ": tokenizer.ggml.token_type has " +
                                 std::to_string(count) + " entries, expected " + std::to_string(n));
        v.types.resize(n);
        for (size_t i = 0; i < n; ++i) {
            const int64_t t = types->ints.empty() ? (int64_t)types->uints[i] : types->ints[i];
            v.types[i] = (t >= 0 && t <= 6) ? (TokenType)t : TokenType::Undefined;
        }
    }
    if (kind == VocabKind::ByteLevelBpe) {
        const GgufValue* merges = gguf.find("tokenizer.ggml.merges");
        if (!merges)
            return Status::error(gguf.path() + ": BPE vocabulary without tokenizer.ggml.merges");
        v.merges = merges->strs;
        v.pre = gguf.get_string("tokenizer.ggml.pre").value_or("default");
        // Pre-tokenizers of models that expect BOS unless the file says otherwise.
        for (const char* name : {"llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1",
                                 "pixtral", "midm-2.0", "lfm2", "tekken", "chameleon"})
            if (v.pre == name) v.add_bos = true;
    }

    const std::pair<const char*, int32_t*> ids[] = {
        {"tokenizer.ggml.bos_token_id", &v.bos},     {"tokenizer.ggml.eos_token_id", &v.eos},
        {"tokenizer.ggml.eot_token_id", &v.eot},     {"tokenizer.ggml.eom_token_id", &v.eom},
        {"tokenizer.ggml.unknown_token_id", &v.unk}, {"tokenizer.ggml.seperator_token_id", &v.sep},
        {"tokenizer.ggml.padding_token_id", &v.pad},
    };
    for (const auto& [key, dst] : ids) {
        // Out-of-range ids keep the default, as llama.cpp does.
        if (auto id = gguf.get_uint(key); id && *id < n) *dst = (int32_t)*id;
    }
    if (auto b = gguf.get_bool("tokenizer.ggml.add_bos_token")) v.add_bos = *b;
    if (auto b = gguf.get_bool("tokenizer.ggml.add_eos_token")) v.add_eos = *b;
    if (auto b = gguf.get_bool("tokenizer.ggml.add_space_prefix")) v.add_space_prefix = *b;
    return v;
}

}  // namespace lamina
