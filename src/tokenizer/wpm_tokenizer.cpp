#include "tokenizer/wpm_tokenizer.h"

#include <algorithm>
#include <functional>

#include "tokenizer/unicode_tables.h"
#include "tokenizer/utf8.h"

namespace lamina {
namespace {

constexpr std::string_view kSpace = "\xE2\x96\x81";  // U+2581

bool is_chinese_char(uint32_t cp) {
    // The CJK blocks BERT's basic tokenizer isolates (0x2B920 as in Hugging Face's code).
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
           (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

// Normalized words: accents stripped (first code point of NFD), lower case; whitespace ends a
// word, punctuation, ASCII symbols and CJK characters are words of their own; control
// characters, NUL and U+FFFD (which invalid bytes decode to) are dropped.
std::vector<std::string> split_words(std::string_view text) {
    std::vector<std::string> words(1);
    for (size_t pos = 0; pos < text.size();) {
        const uint32_t cp = unicode::nfd_base(utf8::decode(text, pos));
        if (unicode::is_whitespace(cp)) {
            if (!words.back().empty()) words.emplace_back();
            continue;
        }
        const uint8_t flags = unicode::category_flags(cp);
        if (cp == 0 || cp == utf8::kReplacement || (flags & unicode::kControl)) continue;
        std::string s;
        utf8::append(s, unicode::to_lower(cp));
        if ((flags & unicode::kPunctuation) || (cp < 0x7F && (flags & unicode::kSymbol)) ||
            is_chinese_char(cp)) {
            if (!words.back().empty()) words.emplace_back();
            words.back() = std::move(s);
            words.emplace_back();
        } else {
            words.back() += s;
        }
    }
    if (words.back().empty()) words.pop_back();
    return words;
}

}  // namespace

WpmTokenizer::WpmTokenizer(Vocab vocab) : VocabTokenizer(std::move(vocab)) {
    for (const std::string& t : this->vocab().tokens)
        if (!t.empty()) token_lengths_.push_back(t.size());
    std::sort(token_lengths_.begin(), token_lengths_.end(), std::greater<>());
    token_lengths_.erase(std::unique(token_lengths_.begin(), token_lengths_.end()),
                         token_lengths_.end());
}

void WpmTokenizer::encode_text(std::string_view text, bool, std::vector<TokenId>& out) const {
    std::string word;
    for (const std::string& w : split_words(text)) {
        word.assign(kSpace);
        word += w;
        const size_t n = word.size();
        const size_t first = out.size();
        bool ok = true;
        for (size_t i = 0; i < n && ok;) {
            // Longest vocabulary piece starting at i.
            ok = false;
            for (size_t len : token_lengths_) {
                if (len > n - i) continue;
                if (TokenId id = find(std::string_view(word).substr(i, len)); id >= 0) {
                    out.push_back(id);
                    i += len;
                    ok = true;
                    break;
                }
            }
        }
        if (!ok) out.resize(first);  // a word that cannot be covered entirely is unknown
        if (out.size() == first && vocab().unk >= 0) out.push_back(vocab().unk);
    }
}

std::string WpmTokenizer::normal_piece(TokenId id) const {
    const std::string& text = token_text(id);
    std::string out;
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
