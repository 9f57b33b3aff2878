// Tokenizer: text <-> token ids for every vocabulary kind a GGUF carries (SPM, BPE, WordPiece).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/token_id.h"
#include "gguf/gguf_reader.h"

namespace lamina {

struct Vocab;

class Tokenizer {
  public:
    // Reads tokenizer.ggml.* metadata (model, tokens, scores, token_type, merges, pre, special
    // token ids, add_bos/add_eos). Unknown tokenizer kinds are an error naming the kind.
    static Expected<std::unique_ptr<Tokenizer>> from_gguf(const GgufReader& gguf);
    virtual ~Tokenizer() = default;

    // add_bos/add_eos follow the vocabulary's flags when `add_special` is true.
    // With parse_special, control/user-defined tokens written in the text become single tokens;
    // without it they are tokenized as plain text.
    virtual std::vector<TokenId> encode(std::string_view text, bool add_special,
                                        bool parse_special) const = 0;
    // The raw bytes a token stands for (byte tokens give their byte; SPM's U+2581 becomes a
    // space). Control tokens give an empty string unless `render_special`.
    virtual std::string token_to_piece(TokenId id, bool render_special = false) const = 0;
    std::string decode(const std::vector<TokenId>& ids, bool render_special = false) const;

    virtual int32_t n_vocab() const = 0;
    virtual TokenId bos() const = 0;            // -1 when absent
    virtual TokenId eos() const = 0;            // -1 when absent
    virtual bool is_eog(TokenId id) const = 0;  // any end-of-generation token (EOS, EOT, ...)
    virtual bool add_bos() const = 0;
    // The vocabulary text of a token, as stored in the file.
    virtual const std::string& token_text(TokenId id) const = 0;
    // True where encoding prepends a space (SPM's add_space_prefix): decode then drops the
    // leading space of the first piece so that decode(encode(s)) == s.
    virtual bool strips_space_prefix() const { return false; }
};

// Turns a stream of tokens into text that is always valid UTF-8 to print: bytes of a multi-byte
// character split over several tokens are held back until the character is complete.
// Builds the tokenizer for a vocabulary given as data (what from_gguf does after reading keys).
Expected<std::unique_ptr<Tokenizer>> make_tokenizer(Vocab vocab);

class StreamDecoder {
  public:
    explicit StreamDecoder(const Tokenizer& tok) : tok_(tok) {}
    std::string push(TokenId id);
    std::string flush();  // whatever is still held (incomplete sequences as U+FFFD)

  private:
    const Tokenizer& tok_;
    std::string pending_;
};

}  // namespace lamina
