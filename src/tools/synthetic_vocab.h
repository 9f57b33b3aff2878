// A made-up SentencePiece-style ("llama") vocabulary for generated models, and copying a real
// one from a vocabulary GGUF.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "gguf/gguf_reader.h"
#include "gguf/gguf_writer.h"

namespace lamina {

// SentencePiece token types as llama.cpp stores them in tokenizer.ggml.token_type.
enum class SpmTokenType : int32_t {
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Byte = 6
};

struct SpmVocab {
    std::vector<std::string> tokens;
    std::vector<float> scores;
    std::vector<int32_t> types;
};

// <unk>, <s>, </s>, the 256 byte tokens <0x00>..<0xFF>, then printable pieces: U+2581 alone,
// single ASCII characters without and with the U+2581 word prefix, common English words with the
// prefix, then letter pairs and triples, until n_vocab tokens. Normal pieces get strictly
// decreasing scores. n_vocab must be at least 260 and at most what the generator can name.
Expected<SpmVocab> synthesize_spm_vocab(int64_t n_vocab);

// Sets tokenizer.ggml.* keys for `vocab` (model "llama", bos 1, eos 2, unk 0, add_bos true).
void set_spm_vocab_keys(GgufWriter& writer, const SpmVocab& vocab);

// Copies every tokenizer.* key of a vocabulary GGUF; fails unless its token count is n_vocab.
Status copy_tokenizer_keys(const GgufReader& vocab_file, int64_t n_vocab, GgufWriter& writer);

}  // namespace lamina
