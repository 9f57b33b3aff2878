#include "tokenizer/bpe_tokenizer.h"

#include <queue>

#include "tokenizer/utf8.h"

namespace lamina {
namespace {

struct Symbol {
    int prev, next;
    uint32_t offset, length;  // bytes of the encoded word; length 0 once merged into the left
};

struct Bigram {
    int rank;
    int left, right;
    uint32_t length;
};

// Lowest rank first; among equal ranks the leftmost pair first.
struct BigramOrder {
    bool operator()(const Bigram& a, const Bigram& b) const {
        return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
    }
};

}  // namespace

BpeTokenizer::BpeTokenizer(Vocab vocab, BpePreTokenizer pre)
    : VocabTokenizer(std::move(vocab)), pre_(std::move(pre)) {
    // GPT-2's byte-to-unicode table: printable Latin-1 bytes stand for themselves, the others
    // take code points 256, 257, ... in byte order.
    cp_to_byte_.fill(-1);
    int next = 256;
    for (int b = 0; b < 256; ++b) {
        const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
        const int cp = printable ? b : next++;
        utf8::append(byte_to_text_[b], (uint32_t)cp);
        cp_to_byte_[cp] = (int16_t)b;
    }
    const auto& merges = this->vocab().merges;
    merge_rank_.reserve(merges.size());
    for (size_t i = 0; i < merges.size(); ++i) merge_rank_.emplace(merges[i], (TokenId)i);
}

void BpeTokenizer::encode_word(const std::string& word, std::vector<TokenId>& out) const {
    if (pre_.ignore_merges()) {
        if (TokenId id = find(word); id >= 0) {
            out.push_back(id);
            return;
        }
    }
    std::vector<Symbol> symbols;
    symbols.reserve(word.size());
    for (size_t off = 0; off < word.size();) {
        const size_t len = std::min(utf8::seq_len((uint8_t)word[off]), word.size() - off);
        const int index = (int)symbols.size();
        symbols.push_back(
            {index - 1, off + len == word.size() ? -1 : index + 1, (uint32_t)off, (uint32_t)len});
        off += len;
    }

    std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> queue;
    std::string key;
    auto try_add = [&](int left, int right) {
        if (left < 0 || right < 0) return;
        key.assign(word, symbols[left].offset, symbols[left].length);
        key += ' ';
        key.append(word, symbols[right].offset, symbols[right].length);
        auto it = merge_rank_.find(key);
        if (it == merge_rank_.end()) return;
        queue.push({it->second, left, right, symbols[left].length + symbols[right].length});
    };
    for (int i = 1; i < (int)symbols.size(); ++i) try_add(i - 1, i);

    while (!queue.empty()) {
        const Bigram b = queue.top();
        queue.pop();
        Symbol& left = symbols[b.left];
        Symbol& right = symbols[b.right];
        if (left.length == 0 || right.length == 0 || left.next != b.right ||
            left.length + right.length != b.length)
            continue;
        left.length += right.length;
        right.length = 0;
        left.next = right.next;
        if (right.next >= 0) symbols[right.next].prev = b.left;
        try_add(left.prev, b.left);
        try_add(b.left, left.next);
    }

    for (int i = 0; i != -1; i = symbols[i].next) {
        const std::string_view piece =
            std::string_view(word).substr(symbols[i].offset, symbols[i].length);
        if (TokenId id = find(piece); id >= 0) {
            out.push_back(id);
            continue;
        }
        // No token for the merged piece: fall back to single-byte tokens where they exist.
        for (char c : piece)
            if (TokenId id = find(std::string_view(&c, 1)); id >= 0) out.push_back(id);
    }
}

void BpeTokenizer::encode_text(std::string_view text, bool, std::vector<TokenId>& out) const {
    // Invalid bytes become U+FFFD first (as llama.cpp does), so the regexes see valid UTF-8.
    const std::string clean = utf8::sanitize(text);
    std::string word;
    for (std::string_view piece : pre_.split(clean)) {
        word.clear();
        for (char c : piece) word += byte_to_text_[(uint8_t)c];
        if (!word.empty()) encode_word(word, out);
    }
}

std::string BpeTokenizer::normal_piece(TokenId id) const {
    const std::string& text = token_text(id);
    std::string out;
    out.reserve(text.size());
    for (size_t pos = 0; pos < text.size();) {
        const size_t start = pos;
        const uint32_t cp = utf8::decode(text, pos);
        if (cp < cp_to_byte_.size() && cp_to_byte_[cp] >= 0)
            out += (char)cp_to_byte_[cp];
        else
            out.append(text, start, pos - start);  // not a byte stand-in: keep as written
    }
    return out;
}

}  // namespace lamina
