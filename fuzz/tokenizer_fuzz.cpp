// Fuzz harness: every tokenizer kind of the shared vocabularies ($LAMINA_SHARED/vocab) on
// arbitrary bytes. The first byte picks the vocabulary and the flags (BOS/EOS, special-token
// parsing); the rest is the text. Ids must be in range, decoding and streaming must not fail,
// and for the byte-preserving kinds printable valid UTF-8 must come back unchanged.
// fuzz-dict: tokenizer
#include <cstdlib>
#include <memory>

#include "fuzz/fuzz_target.h"
#include "gguf/gguf_reader.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"

namespace {

using namespace lamina;

struct LoadedVocab {
    std::string name;
    std::unique_ptr<Tokenizer> tok;
    bool lossless;  // decode(encode(text)) == text for valid UTF-8 without special parsing
};

std::string shared_dir() {
    if (const char* env = std::getenv("LAMINA_SHARED"); env && *env) return env;
#ifdef LAMINA_SOURCE_DIR
    return std::string(LAMINA_SOURCE_DIR) + "/../shared";
#else
    return "../shared";
#endif
}

// Loaded once per process (a harness runs millions of inputs against the same vocabularies).
const std::vector<LoadedVocab>& vocabs() {
    static const std::vector<LoadedVocab> loaded = [] {
        std::vector<LoadedVocab> out;
        for (const char* name :
             {"llama-spm", "gpt-2", "falcon", "deepseek-coder", "starcoder", "bert-bge"}) {
            auto g = GgufReader::open(shared_dir() + "/vocab/ggml-vocab-" + name + ".gguf");
            if (!g) continue;
            auto tok = Tokenizer::from_gguf(**g);
            LAMINA_FUZZ_CHECK(tok.has_value(), tok.error());
            out.push_back({name, std::move(*tok), std::string(name) != "bert-bge"});
        }
        return out;
    }();
    return loaded;
}

// None when the shared vocabularies are absent (the replay test then reports a skip).
std::vector<fuzz::Input> seeds() {
    std::vector<fuzz::Input> out;
    if (vocabs().empty()) return out;
    const std::string texts[] = {
        "Hello world",           " leading  spaces\n\ttabs",
        "<s>x</s><|endoftext|>", "caf\xc3\xa9 \xe4\xbd\xa0\xe5\xa5\xbd \xf0\x9f\xa6\x99",
        "12345 it's don't",      "\xff\xfe invalid \xc3"};
    for (size_t v = 0; v < 6; ++v) {
        for (size_t i = 0; i < std::size(texts); ++i) {
            fuzz::Input in = {(uint8_t)(v | (i % 4) << 5)};
            in.insert(in.end(), texts[i].begin(), texts[i].end());
            out.push_back(std::move(in));
        }
    }
    return out;
}

// Text that every lossless vocabulary must give back unchanged: valid UTF-8 without control
// characters other than tab and newline, and without U+2581. (Some vocabularies, Falcon's among
// them, have no token for some control bytes, and encoding drops those bytes; SentencePiece
// spells spaces as U+2581, so one in the text decodes as a space. llama.cpp does both alike.)
bool round_trips(std::string_view text) {
    for (unsigned char c : text)
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) return false;
    if (text.find("\xE2\x96\x81") != std::string_view::npos) return false;
    return utf8::sanitize(text) == text;
}

void one_input(const uint8_t* data, size_t size) {
    const auto& all = vocabs();
    if (all.empty() || size == 0) return;
    const LoadedVocab& v = all[(data[0] & 31) % all.size()];
    const bool add_special = data[0] & 32, parse_special = data[0] & 64;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    const Tokenizer& tok = *v.tok;
    const std::vector<TokenId> ids = tok.encode(text, add_special, parse_special);
    for (TokenId id : ids) LAMINA_FUZZ_CHECK(id >= 0 && id < tok.n_vocab(), v.name);
    const std::string decoded = tok.decode(ids, parse_special);
    StreamDecoder stream(tok);
    std::string streamed;
    for (TokenId id : ids) streamed += stream.push(id);
    streamed += stream.flush();
    LAMINA_FUZZ_CHECK(utf8::sanitize(streamed) == streamed, v.name + ": stream not UTF-8");
    if (v.lossless && !add_special && !parse_special && round_trips(text))
        LAMINA_FUZZ_CHECK(decoded == text, v.name + ": round trip");
}

}  // namespace

LAMINA_FUZZ_TARGET(tokenizer, one_input, seeds)
