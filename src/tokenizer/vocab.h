// Vocab: everything a tokenizer needs from tokenizer.ggml.* metadata, as plain data so that the
// algorithms can be tested on hand-built vocabularies without files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "gguf/gguf_reader.h"

namespace lamina {

// tokenizer.ggml.token_type values (llama.cpp / SentencePiece numbering).
enum class TokenType : int32_t {
    Undefined = 0,
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
};

enum class VocabKind {
    SentencePiece,  // tokenizer.ggml.model = "llama"
    ByteLevelBpe,   // "gpt2"
    WordPiece,      // "bert"
};

struct Vocab {
    VocabKind kind = VocabKind::SentencePiece;
    std::vector<std::string> tokens;
    std::vector<float> scores;        // empty means all 0
    std::vector<TokenType> types;     // empty means all Normal
    std::vector<std::string> merges;  // BPE only: "left right", rank = index
    std::string pre;                  // BPE pre-tokenizer name (tokenizer.ggml.pre)

    int32_t bos = -1, eos = -1, eot = -1, eom = -1, unk = -1, sep = -1, pad = -1;
    bool add_bos = false;
    bool add_eos = false;
    bool add_space_prefix = false;  // SPM: prepend U+2581 to text that starts a fragment
};

// The defaults llama.cpp applies per kind before reading the file's keys (special ids, flags).
Vocab default_vocab(VocabKind kind);

// Reads tokenizer.ggml.* keys. Fails on an unknown model kind (naming it), a missing or empty
// token list, or arrays whose lengths disagree with it.
Expected<Vocab> vocab_from_gguf(const GgufReader& gguf);

}  // namespace lamina
