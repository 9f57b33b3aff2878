#include "tokenizer/tokenizer.h"

#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/spm_tokenizer.h"
#include "tokenizer/utf8.h"
#include "tokenizer/vocab.h"
#include "tokenizer/wpm_tokenizer.h"

namespace lamina {

Expected<std::unique_ptr<Tokenizer>> make_tokenizer(Vocab vocab) {
    if (vocab.tokens.empty()) return Status::error("tokenizer: empty vocabulary");
    switch (vocab.kind) {
        case VocabKind::SentencePiece:
            return std::unique_ptr<Tokenizer>(new SpmTokenizer(std::move(vocab)));
        case VocabKind::ByteLevelBpe: {
            auto pre = BpePreTokenizer::create(vocab.pre);
            if (!pre) return pre.status();
            return std::unique_ptr<Tokenizer>(new BpeTokenizer(std::move(vocab), std::move(*pre)));
        }
        case VocabKind::WordPiece:
            return std::unique_ptr<Tokenizer>(new WpmTokenizer(std::move(vocab)));
    }
    return Status::error("tokenizer: unknown vocabulary kind");
}

Expected<std::unique_ptr<Tokenizer>> Tokenizer::from_gguf(const GgufReader& gguf) {
    auto vocab = vocab_from_gguf(gguf);
    if (!vocab) return vocab.status();  // already names the file
    auto tok = make_tokenizer(std::move(*vocab));
    if (!tok) return Status::error(gguf.path() + ": " + tok.error());
    return tok;
}

std::string Tokenizer::decode(const std::vector<TokenId>& ids, bool render_special) const {
    std::string out;
    bool strip = strips_space_prefix();
    for (TokenId id : ids) {
        std::string piece = token_to_piece(id, render_special);
        // The space prefix sits on the first piece of text; a leading BOS (rendered or not)
        // does not use it up.
        if (strip && id != bos()) {
            if (!piece.empty() && piece[0] == ' ') piece.erase(0, 1);
            strip = false;
        }
        out += piece;
    }
    return out;
}

std::string StreamDecoder::push(TokenId id) {
    pending_ += tok_.token_to_piece(id);
    const size_t n = utf8::complete_prefix(pending_);
    std::string ready = utf8::sanitize(std::string_view(pending_).substr(0, n));
    pending_.erase(0, n);
    return ready;
}

std::string StreamDecoder::flush() {
    std::string rest = utf8::sanitize(pending_);
    pending_.clear();
    return rest;
}

}  // namespace lamina
