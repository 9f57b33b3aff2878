// WpmTokenizer: WordPiece ("bert" vocabularies) as llama.cpp runs it: lower-casing, accent
// stripping, splitting at whitespace, punctuation and CJK characters, then greedy longest-match
// pieces. The GGUF stores word-initial pieces with a U+2581 prefix and "##" continuations bare.
#pragma once

#include <vector>

#include "tokenizer/vocab_tokenizer.h"

namespace lamina {

class WpmTokenizer final : public VocabTokenizer {
  public:
    explicit WpmTokenizer(Vocab vocab);
    bool strips_space_prefix() const override { return true; }

  protected:
    void encode_text(std::string_view text, bool starts_fragment,
                     std::vector<TokenId>& out) const override;
    std::string normal_piece(TokenId id) const override;

  private:
    // The distinct byte lengths of the vocabulary's tokens, longest first: the longest match is
    // searched among these lengths only, so one very long token costs one lookup per position
    // instead of one per length up to it (which made a long word cubic).
    std::vector<size_t> token_lengths_;
};

}  // namespace lamina
