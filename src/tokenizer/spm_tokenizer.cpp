#include "tokenizer/spm_tokenizer.h"

#include <cstdio>
#include <queue>

#include "tokenizer/utf8.h"

namespace lamina {
namespace {

constexpr std::string_view kSpace = "\xE2\x96\x81";  // U+2581, SentencePiece's visible space

struct Symbol {
    int prev, next;
    uint32_t offset, length;  // bytes of the escaped text; length 0 once merged into the left
};

struct Bigram {
    float score;
    int left, right;
    uint32_t length;
};

// Highest score first; among equal scores the leftmost pair first.
struct BigramOrder {
    bool operator()(const Bigram& a, const Bigram& b) const {
        return a.score < b.score || (a.score == b.score && a.left > b.left);
    }
};

}  // namespace

SpmTokenizer::SpmTokenizer(Vocab vocab) : VocabTokenizer(std::move(vocab)) {
    for (int b = 0; b < 256; ++b) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "<0x%02X>", b);
        TokenId id = find(hex);
        if (id < 0) id = find(std::string(1, (char)b));
        if (id < 0) id = this->vocab().unk;
        byte_token_[b] = id;
    }
    words_independent_ = true;
    for (const std::string& t : this->vocab().tokens) {
        size_t lead = 0;
        while (t.compare(lead, kSpace.size(), kSpace) == 0) lead += kSpace.size();
        if (t.find(kSpace, lead) != std::string::npos) {
            words_independent_ = false;
            break;
        }
    }
}

void SpmTokenizer::encode_text(std::string_view text, bool starts_fragment,
                               std::vector<TokenId>& out) const {
    std::string s;
    s.reserve(text.size() * 2 + 3);
    if (vocab().add_space_prefix && starts_fragment) s += kSpace;
    for (char c : text) {
        if (c == ' ')
            s += kSpace;
        else
            s += c;
    }
    if (s.empty()) return;
    if (!words_independent_) {
        encode_segment(s, out);
        return;
    }
    // No piece holds U+2581 after another character, so no merge crosses the start of a
    // U+2581 run that follows other text: each such word merges on its own, with the same
    // result and a much smaller queue.
    const std::string_view all(s);
    size_t start = 0;
    for (size_t p = kSpace.size(); p + kSpace.size() <= all.size(); ++p) {
        if (all.compare(p, kSpace.size(), kSpace) == 0 &&
            all.compare(p - kSpace.size(), kSpace.size(), kSpace) != 0) {
            encode_segment(all.substr(start, p - start), out);
            start = p;
            p += kSpace.size() - 1;
        }
    }
    encode_segment(all.substr(start), out);
}

void SpmTokenizer::encode_segment(std::string_view s, std::vector<TokenId>& out) const {
    std::vector<Symbol> symbols;
    symbols.reserve(s.size());
    for (size_t off = 0; off < s.size();) {
        // A broken sequence splits into single bytes, so that it cannot swallow the U+2581 of
        // an escaped space (llama.cpp would; valid text is split the same either way).
        size_t len = std::min(utf8::seq_len((uint8_t)s[off]), s.size() - off);
        for (size_t k = 1; k < len; ++k)
            if (((uint8_t)s[off + k] & 0xC0) != 0x80) len = 1;
        const int index = (int)symbols.size();
        symbols.push_back(
            {index - 1, off + len == s.size() ? -1 : index + 1, (uint32_t)off, (uint32_t)len});
        off += len;
    }

    std::vector<Bigram> storage;
    storage.reserve(symbols.size() * 2);
    std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> queue(BigramOrder{},
                                                                        std::move(storage));
    auto try_add = [&](int left, int right) {
        if (left < 0 || right < 0) return;
        const uint32_t len = symbols[left].length + symbols[right].length;
        const TokenId id = find(s.substr(symbols[left].offset, len));
        if (id < 0) return;
        queue.push({score(id), left, right, len});
    };
    for (int i = 1; i < (int)symbols.size(); ++i) try_add(i - 1, i);

    while (!queue.empty()) {
        const Bigram b = queue.top();
        queue.pop();
        Symbol& left = symbols[b.left];
        Symbol& right = symbols[b.right];
        // Stale entry: one side has merged with something else since it was queued.
        if (left.length == 0 || right.length == 0 || left.length + right.length != b.length)
            continue;
        left.length += right.length;
        right.length = 0;
        left.next = right.next;
        if (right.next >= 0) symbols[right.next].prev = b.left;
        try_add(left.prev, b.left);
        try_add(b.left, left.next);
    }

    for (int i = 0; i != -1; i = symbols[i].next) {
        const std::string_view piece = s.substr(symbols[i].offset, symbols[i].length);
        const TokenId id = find(piece);
        if (id >= 0) {
            out.push_back(id);
            continue;
        }
        for (char c : piece) {
            const TokenId bt = byte_token_[(uint8_t)c];
            if (bt >= 0) out.push_back(bt);
        }
    }
}

std::string SpmTokenizer::normal_piece(TokenId id) const {
    const std::string& text = token_text(id);
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        if (text.compare(i, kSpace.size(), kSpace) == 0) {
            out += ' ';
            i += kSpace.size();
        } else {
            out += text[i++];
        }
    }
    return out;
}

}  // namespace lamina
