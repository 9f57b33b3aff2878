// VocabTokenizer: the part shared by every tokenizer kind: token lookup, special-token
// splitting, special ids and end-of-generation tokens. Kinds implement encode_text and piece().
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"

namespace lamina {

// Hashes strings and string_views alike so lookups by view allocate nothing.
struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using TokenMap = std::unordered_map<std::string, TokenId, TextHash, std::equal_to<>>;

class VocabTokenizer : public Tokenizer {
  public:
    explicit VocabTokenizer(Vocab vocab);

    std::vector<TokenId> encode(std::string_view text, bool add_special,
                                bool parse_special) const override;
    std::string token_to_piece(TokenId id, bool render_special = false) const override;

    int32_t n_vocab() const override { return (int32_t)vocab_.tokens.size(); }
    TokenId bos() const override { return vocab_.bos; }
    TokenId eos() const override { return vocab_.eos; }
    bool is_eog(TokenId id) const override { return eog_.count(id) != 0; }
    bool add_bos() const override { return vocab_.add_bos; }
    const std::string& token_text(TokenId id) const override;
    bool strips_space_prefix() const override { return vocab_.add_space_prefix; }

    TokenType type(TokenId id) const {
        return vocab_.types.empty() ? TokenType::Normal : vocab_.types[id];
    }
    // -1 when the text is not a token.
    TokenId find(std::string_view text) const {
        auto it = map_.find(text);
        return it == map_.end() ? -1 : it->second;
    }

  protected:
    // Tokenizes one run of plain text (no special tokens in it). `starts_fragment` is true for
    // the start of the input and right after a special token (SPM adds its space prefix there).
    virtual void encode_text(std::string_view text, bool starts_fragment,
                             std::vector<TokenId>& out) const = 0;
    // The bytes a normal token stands for.
    virtual std::string normal_piece(TokenId id) const = 0;

    const Vocab& vocab() const { return vocab_; }

  private:
    struct Fragment {
        bool is_token;
        TokenId id;
        size_t offset, length;
    };
    std::vector<Fragment> split_special(std::string_view text, bool parse_special) const;

    Vocab vocab_;
    TokenMap map_;
    std::vector<TokenId> special_;  // control / user-defined / unknown, longest text first
    std::unordered_set<TokenId> eog_;
    std::string empty_;
};

}  // namespace lamina
