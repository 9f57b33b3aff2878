// SpmTokenizer: SentencePiece-style tokenization as llama.cpp does it for "llama" vocabularies:
// spaces become U+2581, adjacent pieces merge by highest vocabulary score, unknown characters
// fall back to <0xNN> byte tokens.
#pragma once

#include <array>

#include "tokenizer/vocab_tokenizer.h"

namespace lamina {

class SpmTokenizer final : public VocabTokenizer {
  public:
    explicit SpmTokenizer(Vocab vocab);

  protected:
    void encode_text(std::string_view text, bool starts_fragment,
                     std::vector<TokenId>& out) const override;
    std::string normal_piece(TokenId id) const override;

  private:
    void encode_segment(std::string_view escaped, std::vector<TokenId>& out) const;
    float score(TokenId id) const { return vocab().scores.empty() ? 0.0f : vocab().scores[id]; }
    std::array<TokenId, 256> byte_token_;
    // True when no token has U+2581 after another character (checked at load; llama's does).
    bool words_independent_ = false;  // -1 where the vocabulary has no token for the byte
};

}  // namespace lamina
