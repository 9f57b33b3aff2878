#include "tools/synthetic_vocab.h"

#include <cstdio>
#include <unordered_set>

namespace lamina {
namespace {

constexpr const char* kWordPrefix = "\xE2\x96\x81";  // U+2581, SentencePiece's space marker

// Frequent English words, so synthesized text tokenizes into something word-like.
constexpr const char* kCommonWords[] = {
    "the",   "of",     "and",    "to",   "a",     "in",     "is",    "it",      "you",  "that",
    "he",    "was",    "for",    "on",   "are",   "with",   "as",    "I",       "his",  "they",
    "be",    "at",     "one",    "have", "this",  "from",   "or",    "had",     "by",   "not",
    "word",  "but",    "what",   "some", "we",    "can",    "out",   "other",   "were", "all",
    "there", "when",   "up",     "use",  "your",  "how",    "said",  "an",      "each", "she",
    "which", "do",     "their",  "time", "if",    "will",   "way",   "about",   "many", "then",
    "them",  "write",  "would",  "like", "so",    "these",  "her",   "long",    "make", "thing",
    "see",   "him",    "two",    "has",  "look",  "more",   "day",   "could",   "go",   "come",
    "did",   "number", "sound",  "no",   "most",  "people", "my",    "over",    "know", "water",
    "than",  "call",   "first",  "who",  "may",   "down",   "side",  "been",    "now",  "find",
    "any",   "new",    "work",   "part", "take",  "get",    "place", "made",    "live", "where",
    "after", "back",   "little", "only", "round", "man",    "year",  "came",    "show", "every",
    "good",  "me",     "give",   "our",  "under", "name",   "very",  "through", "just", "form",
    "Once",  "upon",   "There",  "The",  "Hello", "world",  "story", "king",    "day",  "night",
};

class VocabBuilder {
  public:
    explicit VocabBuilder(int64_t n) : n_(n) {}
    bool full() const { return (int64_t)vocab_.tokens.size() >= n_; }
    void add(const std::string& piece, float score, SpmTokenType type) {
        if (full() || !seen_.insert(piece).second) return;
        vocab_.tokens.push_back(piece);
        vocab_.scores.push_back(score);
        vocab_.types.push_back((int32_t)type);
    }
    // Normal pieces score -1, -2, ... in the order they are added.
    void add_normal(const std::string& piece) {
        const size_t before = vocab_.tokens.size();
        add(piece, -(float)(n_normal_ + 1), SpmTokenType::Normal);
        if (vocab_.tokens.size() != before) ++n_normal_;
    }
    SpmVocab take() { return std::move(vocab_); }

  private:
    int64_t n_;
    int64_t n_normal_ = 0;
    SpmVocab vocab_;
    std::unordered_set<std::string> seen_;
};

}  // namespace

Expected<SpmVocab> synthesize_spm_vocab(int64_t n_vocab) {
    constexpr int64_t kMin = 3 + 256 + 1;
    if (n_vocab < kMin) {
        return Status::error("a synthesized vocabulary needs at least " + std::to_string(kMin) +
                             " tokens (3 control, 256 bytes, 1 piece), not " +
                             std::to_string(n_vocab));
    }
    VocabBuilder b(n_vocab);
    b.add("<unk>", 0.0f, SpmTokenType::Unknown);
    b.add("<s>", 0.0f, SpmTokenType::Control);
    b.add("</s>", 0.0f, SpmTokenType::Control);
    for (int byte = 0; byte < 256; ++byte) {
        char piece[8];
        std::snprintf(piece, sizeof piece, "<0x%02X>", byte);
        b.add(piece, 0.0f, SpmTokenType::Byte);
    }
    b.add_normal(kWordPrefix);
    for (char c = '!'; c <= '~'; ++c) b.add_normal(std::string(1, c));
    for (char c = '!'; c <= '~'; ++c) b.add_normal(kWordPrefix + std::string(1, c));
    for (const char* w : kCommonWords) b.add_normal(kWordPrefix + std::string(w));
    // Letter pairs then triples, with and without the prefix: 2 * (26^2 + 26^3) = 36504 more,
    // enough for Llama's 32000.
    const std::string letters = "etaoinshrdlcumwfgypbvkjxqz";  // roughly by English frequency
    for (char a : letters) {
        for (char c : letters) {
            b.add_normal(kWordPrefix + std::string{a, c});
            b.add_normal(std::string{a, c});
        }
    }
    for (char a : letters) {
        for (char c : letters) {
            for (char d : letters) {
                b.add_normal(kWordPrefix + std::string{a, c, d});
                b.add_normal(std::string{a, c, d});
            }
        }
    }
    if (!b.full()) {
        return Status::error("cannot synthesize a vocabulary of " + std::to_string(n_vocab) +
                             " tokens (the generator names fewer); pass a vocabulary GGUF");
    }
    return b.take();
}

void set_spm_vocab_keys(GgufWriter& writer, const SpmVocab& vocab) {
    writer.set("tokenizer.ggml.model", GgufValue::make_string("llama"));
    writer.set("tokenizer.ggml.pre", GgufValue::make_string("default"));
    writer.set("tokenizer.ggml.tokens", GgufValue::make_string_array(vocab.tokens));
    writer.set("tokenizer.ggml.scores", GgufValue::make_f32_array(vocab.scores));
    writer.set("tokenizer.ggml.token_type", GgufValue::make_i32_array(vocab.types));
    writer.set("tokenizer.ggml.bos_token_id", GgufValue::make_u32(1));
    writer.set("tokenizer.ggml.eos_token_id", GgufValue::make_u32(2));
    writer.set("tokenizer.ggml.unknown_token_id", GgufValue::make_u32(0));
    writer.set("tokenizer.ggml.add_bos_token", GgufValue::make_bool(true));
    writer.set("tokenizer.ggml.add_eos_token", GgufValue::make_bool(false));
}

Status copy_tokenizer_keys(const GgufReader& vocab_file, int64_t n_vocab, GgufWriter& writer) {
    const GgufValue* tokens = vocab_file.find("tokenizer.ggml.tokens");
    if (!tokens || tokens->type != GgufType::ARRAY) {
        return Status::error(vocab_file.path() + ": no tokenizer.ggml.tokens array");
    }
    if ((int64_t)tokens->array_size() != n_vocab) {
        return Status::error(vocab_file.path() + ": has " + std::to_string(tokens->array_size()) +
                             " tokens but the model shape needs " + std::to_string(n_vocab));
    }
    for (const GgufKv& kv : vocab_file.metadata()) {
        if (kv.key.rfind("tokenizer.", 0) == 0) writer.set(kv.key, kv.value);
    }
    return Status::ok();
}

}  // namespace lamina
