#include "tokenizer/vocab_tokenizer.h"

#include <algorithm>
#include <cstdio>

namespace lamina {
namespace {

// Texts llama.cpp treats as end-of-generation (and as control tokens) whatever the file says.
constexpr const char* kEogTexts[] = {
    "<|eot_id|>",    "<|im_end|>", "<|end|>", "<|return|>", "<|call|>",        "<end_of_turn>",
    "<|endoftext|>", "<|eom_id|>", "<EOT>",   "_<EOT>",     "<|end_of_text|>", "<end_of_utterance>",
};
constexpr const char* kEotTexts[] = {
    "<|eot_id|>",
    "<|im_end|>",
    "<|end|>",
    "<end_of_turn>",
    "<|endoftext|>",
    "<|end_of_text|>",
    "<EOT>",
    "_<EOT>",
    // One literal in two pieces (a hex escape would swallow the "e" of "end"); the parentheses
    // tell clang the concatenation is meant.
    ("<\xEF\xBD\x9C"
     "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>"),
    "<end_of_utterance>",
};

bool parse_byte_token(const std::string& text, uint8_t& byte) {
    // "<0xNN>"
    if (text.size() != 6 || text.compare(0, 3, "<0x") != 0 || text[5] != '>') return false;
    unsigned v = 0;
    for (int i = 3; i < 5; ++i) {
        const char c = text[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else
            return false;
    }
    byte = (uint8_t)v;
    return true;
}

}  // namespace

VocabTokenizer::VocabTokenizer(Vocab vocab) : vocab_(std::move(vocab)) {
    const size_t n = vocab_.tokens.size();
    if (!vocab_.scores.empty()) vocab_.scores.resize(n, 0.0f);
    vocab_.types.resize(n, TokenType::Normal);
    map_.reserve(n);
    for (size_t i = 0; i < n; ++i) map_[vocab_.tokens[i]] = (TokenId)i;
    auto valid = [&](int32_t& id) {
        if (id >= (int32_t)n) id = -1;
    };
    for (int32_t* id : {&vocab_.bos, &vocab_.eos, &vocab_.eot, &vocab_.eom, &vocab_.unk,
                        &vocab_.sep, &vocab_.pad})
        valid(*id);

    if (vocab_.eot < 0) {
        for (const char* t : kEotTexts)
            if (TokenId id = find(t); id >= 0) {
                vocab_.eot = id;
                break;
            }
    }
    for (const char* t : kEogTexts) {
        if (TokenId id = find(t); id >= 0) {
            eog_.insert(id);
            vocab_.types[id] = TokenType::Control;
        }
    }
    for (TokenId id : {vocab_.eos, vocab_.eot, vocab_.eom})
        if (id >= 0) eog_.insert(id);

    for (size_t i = 0; i < n; ++i) {
        const TokenType t = vocab_.types[i];
        if (t == TokenType::Control || t == TokenType::UserDefined || t == TokenType::Unknown)
            special_.push_back((TokenId)i);
    }
    std::stable_sort(special_.begin(), special_.end(), [&](TokenId a, TokenId b) {
        return vocab_.tokens[a].size() > vocab_.tokens[b].size();
    });
}

const std::string& VocabTokenizer::token_text(TokenId id) const {
    if (id < 0 || id >= n_vocab()) return empty_;
    return vocab_.tokens[id];
}

std::vector<VocabTokenizer::Fragment> VocabTokenizer::split_special(std::string_view text,
                                                                    bool parse_special) const {
    std::vector<Fragment> frags{{false, -1, 0, text.size()}};
    std::vector<Fragment> next;
    for (TokenId id : special_) {
        const TokenType t = type(id);
        // Control and unknown tokens are plain text unless asked for; user-defined tokens are
        // always split out first (as llama.cpp and Hugging Face tokenizers do).
        if (!parse_special && t != TokenType::UserDefined) continue;
        const std::string& st = vocab_.tokens[id];
        if (st.empty()) continue;
        bool found = false;
        next.clear();
        for (const Fragment& f : frags) {
            if (f.is_token) {
                next.push_back(f);
                continue;
            }
            const std::string_view raw = text.substr(f.offset, f.length);
            size_t from = 0;
            while (true) {
                const size_t at = raw.find(st, from);
                if (at == std::string_view::npos) break;
                found = true;
                if (at > from) next.push_back({false, -1, f.offset + from, at - from});
                next.push_back({true, id, 0, 0});
                from = at + st.size();
            }
            if (from < raw.size()) next.push_back({false, -1, f.offset + from, raw.size() - from});
        }
        if (found) frags.swap(next);
    }
    return frags;
}

std::vector<TokenId> VocabTokenizer::encode(std::string_view text, bool add_special,
                                            bool parse_special) const {
    std::vector<TokenId> out;
    if (add_special && vocab_.add_bos && vocab_.bos >= 0) out.push_back(vocab_.bos);
    if (!text.empty()) {
        bool starts_fragment = true;
        for (const Fragment& f : split_special(text, parse_special)) {
            if (f.is_token) {
                out.push_back(f.id);
                starts_fragment = true;
            } else {
                encode_text(text.substr(f.offset, f.length), starts_fragment, out);
                starts_fragment = false;
            }
        }
    }
    if (add_special && vocab_.kind == VocabKind::WordPiece && vocab_.sep >= 0)
        out.push_back(vocab_.sep);
    if (add_special && vocab_.add_eos && vocab_.eos >= 0) out.push_back(vocab_.eos);
    return out;
}

std::string VocabTokenizer::token_to_piece(TokenId id, bool render_special) const {
    if (id < 0 || id >= n_vocab()) return {};
    switch (type(id)) {
        case TokenType::Control:
        case TokenType::Unknown:
            return render_special ? vocab_.tokens[id] : std::string();
        case TokenType::UserDefined:
            return vocab_.tokens[id];
        case TokenType::Byte: {
            uint8_t b;
            if (parse_byte_token(vocab_.tokens[id], b)) return std::string(1, (char)b);
            return normal_piece(id);
        }
        default:
            return normal_piece(id);
    }
}

}  // namespace lamina
