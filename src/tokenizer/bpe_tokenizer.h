// BpeTokenizer: byte-level BPE (GPT-2 style, "gpt2" vocabularies): regex pre-tokenization, bytes
// mapped to printable code points, then merges applied lowest rank first.
#pragma once

#include <array>
#include <string>

#include "tokenizer/bpe_pretokenizer.h"
#include "tokenizer/vocab_tokenizer.h"

namespace lamina {

class BpeTokenizer final : public VocabTokenizer {
  public:
    BpeTokenizer(Vocab vocab, BpePreTokenizer pre);

  protected:
    void encode_text(std::string_view text, bool starts_fragment,
                     std::vector<TokenId>& out) const override;
    std::string normal_piece(TokenId id) const override;

  private:
    void encode_word(const std::string& word, std::vector<TokenId>& out) const;

    BpePreTokenizer pre_;
    TokenMap merge_rank_;                        // "left right" -> rank
    std::array<std::string, 256> byte_to_text_;  // UTF-8 of each byte's stand-in code point
    std::array<int16_t, 324> cp_to_byte_;        // inverse, for code points below 324; else -1
};

}  // namespace lamina
