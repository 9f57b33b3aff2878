#define PCRE2_CODE_UNIT_WIDTH 8
#include "tokenizer/bpe_pretokenizer.h"

#include <pcre2.h>

#include <initializer_list>

namespace lamina {
namespace {

// The regex strings are llama.cpp's (src/llama-vocab.cpp), per pre-tokenizer family.
const char* const kGpt2[] = {
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S))"};
const char* const kLlama3[] = {
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"};
const char* const kQwen2[] = {
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"};
const char* const kDeepseekLlm[] = {
    "[\r\n]",
    "\\s?[A-Za-z\u00b5\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u01ba\u01bc-\u01bf\u01c4-\u0293\u0295"
    "-\u02af\u0370-\u0373\u0376\u0377\u037b-\u037d\u037f\u0386\u0388-\u038a\u038c\u038e-"
    "\u03a1\u03a3-\u03f5\u03f7-\u0481\u048a-\u052f\u0531-\u0556\u10a0-\u10c5\u13a0-\u13f5"
    "\u13f8-\u13fd\u1c90-\u1cba\u1cbd-\u1cbf\u1d00-\u1d2b\u1d6b-\u1d77\u1d79-\u1d9a\u1e00-"
    "\u1f15\u1f18-\u1f1d\u1f20-\u1f45\u1f48-\u1f4d\u1f50-\u1f57\u1f59\u1f5b\u1f5d\u1f5f-"
    "\u1f7d\u1f80-\u1fb4\u1fb6-\u1fbc\u1fbe\u1fc2-\u1fc4\u1fc6-\u1fcc\u1fd0-\u1fd3\u1fd6-"
    "\u1fdb\u1fe0-\u1fec\u1ff2-\u1ff4\u1ff6-\u1ffc\u2102\u2107\u210a-\u2113\u2115\u2119-"
    "\u211d\u2124\u2126\u2128\u212a-\u212d\u212f-\u2134\u2139\u213c-\u213f\u2145-\u2149\u214e"
    "\u2183\u2184\u2c00-\u2c7b\u2c7e-\u2ce4\u2ceb-\u2cee\u2cf2\u2cf3\ua640-\ua66d\ua680-"
    "\ua69b\ua722-\ua76f\ua771-\ua787\ua78b-\ua78e\uab70-\uabbf\ufb00-\ufb06\ufb13-\ufb17"
    "\uff21-\uff3a\uff41-\uff5a\\x{10400}-\\x{1044f}\U000104b0-\U000104d3\U000104d8-"
    "\U000104fb\U00010c80-\U00010cb2\U00010cc0-\U00010cf2\U000118a0-\U000118df\U0001e900-"
    "\U0001e943]+",
    "\\s?[!-/:-~\uff01-\uff0f\uff1a-\uff5e\u2018-\u201f\u3000-\u3002]+",
    "\\s+$",
    "[\u4e00-\u9fa5\u0800-\u4e00\uac00-\ud7ff]+",
    "\\p{N}+"};
const char* const kDeepseekCoder[] = {"[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+",
                                      "[\u4e00-\u9fa5\u0800-\u4e00\uac00-\ud7ff]+", "\\p{N}"};
const char* const kDeepseek3[] = {"\\p{N}{1,3}", "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+",
                                  R"([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^)"
                                  "\r\n"
                                  R"(\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[)"
                                  "\r\n"
                                  R"(]*|\s*[)"
                                  "\r\n"
                                  R"(]+|\s+(?!\S)|\s+)"};
const char* const kFalcon[] = {
    R"([\p{P}\$\+<=>\^~\|`]+)",
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S))", "[0-9][0-9][0-9]"};
const char* const kStarcoder[] = {
    R"(\p{N})", R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S))"};
const char* const kPoro[] = {" ?[^(\\s|.,!?\u2026\u3002\uff0c\u3001\u0964\u06d4\u060c)]+"};
const char* const kViking[] = {" ?[^(\\s|.,!?\u2026\u3002\uff0c\u3001\u0964\u06d4\u060c)]+",
                               "\\p{N}"};
const char* const kTekken[] = {
    R"([^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+|[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)"};
const char* const kGpt4o[] = {
    R"([^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)"};
const char* const kChameleon[] = {
    "<sentinel:[0-9]+>",
    "(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z",
    "([\\t\\n]|    |  )",
    "\\p{N}",
    R"([\p{P}!-/:-@\[-`{-~])",
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S))"};
const char* const kSuperBpe[] = {R"(\p{N}+)", R"((?=(\d{3})+(?!\d)))"};
const char* const kBailing[] = {
    R"('(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+)"};
const char* const kSeedCoder[] = {
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1}| ?[^\s\p{L}\p{N}\r\n]+|\s*[\r\n]+|\s+(?!\S)|\s+)"};
const char* const kDefault[] = {
    R"([\p{P}\$\+<=>\^~\|]+)",
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S))", R"(\p{N}+)",
    "[0-9][0-9][0-9]"};

struct Family {
    std::initializer_list<const char*> names;
    const char* const* regexes;
    size_t n_regexes;
    bool ignore_merges;
};

#define LAMINA_REGEXES(a) a, std::size(a)
const Family kFamilies[] = {
    {{"llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2"},
     LAMINA_REGEXES(kLlama3),
     true},
    {{"dbrx", "smaug-bpe", "glm4", "chatglm-bpe"}, LAMINA_REGEXES(kLlama3), false},
    {{"deepseek-llm"}, LAMINA_REGEXES(kDeepseekLlm), false},
    {{"deepseek-coder"}, LAMINA_REGEXES(kDeepseekCoder), false},
    {{"deepseek-v3", "hunyuan-dense"}, LAMINA_REGEXES(kDeepseek3), false},
    {{"falcon"}, LAMINA_REGEXES(kFalcon), false},
    {{"starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b"},
     LAMINA_REGEXES(kStarcoder),
     false},
    {{"gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0",
      "mellum", "jina-v1-en", "jina-v2-code", "roberta-bpe", "mpt", "olmo", "jais", "trillion",
      "granite-docling", "exaone4"},
     LAMINA_REGEXES(kGpt2),
     false},
    {{"qwen2", "deepseek-r1-qwen", "kormo", "megrez", "stablelm2", "hunyuan", "grok-2"},
     LAMINA_REGEXES(kQwen2),
     false},
    {{"poro-chat", "bloom", "gpt3-finnish"}, LAMINA_REGEXES(kPoro), false},
    {{"viking"}, LAMINA_REGEXES(kViking), false},
    {{"tekken"}, LAMINA_REGEXES(kTekken), true},
    {{"chameleon"}, LAMINA_REGEXES(kChameleon), false},
    {{"gpt-4o", "llama4", "minimax-m2"}, LAMINA_REGEXES(kGpt4o), false},
    {{"superbpe"}, LAMINA_REGEXES(kSuperBpe), false},
    {{"bailingmoe", "bailingmoe2", "llada-moe"}, LAMINA_REGEXES(kBailing), false},
    {{"seed-coder"}, LAMINA_REGEXES(kSeedCoder), false},
};
#undef LAMINA_REGEXES

}  // namespace

struct BpePreTokenizer::Regex {
    pcre2_code* code = nullptr;
    ~Regex() { pcre2_code_free(code); }
};

BpePreTokenizer::BpePreTokenizer(BpePreTokenizer&&) noexcept = default;
BpePreTokenizer& BpePreTokenizer::operator=(BpePreTokenizer&&) noexcept = default;
BpePreTokenizer::~BpePreTokenizer() = default;

Expected<BpePreTokenizer> BpePreTokenizer::create(const std::string& pre) {
    const char* const* regexes = kDefault;
    size_t n = std::size(kDefault);
    BpePreTokenizer t;
    for (const Family& f : kFamilies) {
        for (const char* name : f.names) {
            if (pre == name) {
                regexes = f.regexes;
                n = f.n_regexes;
                t.ignore_merges_ = f.ignore_merges;
            }
        }
    }
    for (size_t i = 0; i < n; ++i) {
        int err = 0;
        PCRE2_SIZE err_off = 0;
        auto r = std::make_unique<Regex>();
        r->code =
            pcre2_compile((PCRE2_SPTR)regexes[i], PCRE2_ZERO_TERMINATED,
                          PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK, &err, &err_off, nullptr);
        if (!r->code) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(err, msg, sizeof msg);
            return Status::error("pre-tokenizer '" + pre + "': regex " + std::to_string(i) +
                                 " does not compile: " + (const char*)msg);
        }
        pcre2_jit_compile(r->code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter
        t.regexes_.push_back(std::move(r));
    }
    return t;
}

std::vector<std::string_view> BpePreTokenizer::split(std::string_view text) const {
    std::vector<std::string_view> pieces{text};
    std::vector<std::string_view> next;
    for (const auto& regex : regexes_) {
        pcre2_match_data* md = pcre2_match_data_create_from_pattern(regex->code, nullptr);
        if (!md) return pieces;
        next.clear();
        for (std::string_view piece : pieces) {
            const auto* subject = (PCRE2_SPTR)piece.data();
            size_t pos = 0, last = 0;
            while (pos <= piece.size()) {
                const int rc = pcre2_match(regex->code, subject, piece.size(), pos,
                                           PCRE2_NO_UTF_CHECK, md, nullptr);
                if (rc < 0) break;
                const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
                const size_t start = ov[0], end = ov[1];
                if (start > last) next.push_back(piece.substr(last, start - last));
                if (end > start) {
                    next.push_back(piece.substr(start, end - start));
                    last = pos = end;
                } else {
                    // An empty match only marks a split point; step over one character.
                    last = start;
                    if (start >= piece.size()) break;
                    pos = start + 1;
                    while (pos < piece.size() && ((uint8_t)piece[pos] & 0xC0) == 0x80) ++pos;
                }
            }
            if (last < piece.size()) next.push_back(piece.substr(last));
        }
        pcre2_match_data_free(md);
        pieces.swap(next);
    }
    return pieces;
}

}  // namespace lamina
