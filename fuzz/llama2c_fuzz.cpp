// Fuzz harness: `lamina convert` input, a llama2.c checkpoint (.bin) and its tokenizer.bin. The
// first 4 bytes give the checkpoint's share of the rest (little-endian, taken modulo its size);
// the remainder is the tokenizer. A failed conversion must leave no file behind.
#include <cstdio>
#include <cstring>

#include "fuzz/fuzz_target.h"
#include "tools/llama2c_convert.h"

namespace {

using namespace lamina;

fuzz::Input pack(const fuzz::Input& bin, const fuzz::Input& tokenizer) {
    const uint32_t n = (uint32_t)bin.size();
    fuzz::Input out;
    out.reserve(4 + bin.size() + tokenizer.size());
    for (int shift = 0; shift < 32; shift += 8) out.push_back((uint8_t)(n >> shift));
    for (uint8_t b : bin) out.push_back(b);
    for (uint8_t b : tokenizer) out.push_back(b);
    return out;
}

void append(fuzz::Input& out, const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    for (size_t i = 0; i < n; ++i) out.push_back(b[i]);
}

// A llama2.c checkpoint of the smallest sensible shape: dim 8, hidden 16, 1 layer, 2 heads
// (1 KV head), vocabulary 260, 8 positions; weights a simple pattern. vocab_size is negative
// when a separate classifier follows.
fuzz::Input checkpoint(bool shared_classifier) {
    const int32_t dim = 8, hidden = 16, layers = 1, heads = 2, kv_heads = 1, vocab = 260, seq = 8;
    const int32_t header[7] = {
        dim, hidden, layers, heads, kv_heads, shared_classifier ? vocab : -vocab, seq};
    const int64_t kv = dim / heads * kv_heads, head = dim / heads;
    const int64_t floats = vocab * dim +
                           layers * (2 * dim + 2 * dim * dim + 2 * dim * kv + 3 * dim * hidden) +
                           dim + seq * head + (shared_classifier ? 0 : vocab * dim);
    fuzz::Input out;
    append(out, header, sizeof header);
    for (int64_t i = 0; i < floats; ++i) {
        const float w = (float)(i % 17) / 17.0f - 0.5f;
        append(out, &w, 4);
    }
    return out;
}

// tokenizer.bin: max token length, then per token a score, a length and the bytes.
fuzz::Input tokenizer_bin() {
    std::vector<std::string> tokens = {"<unk>", "\n<s>\n", "\n</s>\n"};
    char buf[8];
    for (int b = 0; b < 256; ++b) {
        std::snprintf(buf, sizeof buf, "<0x%02X>", b);
        tokens.push_back(buf);
    }
    tokens.push_back(" the");
    fuzz::Input out;
    const int32_t max_len = 6;
    append(out, &max_len, 4);
    for (size_t i = 0; i < tokens.size(); ++i) {
        const float score = -(float)i;
        const int32_t len = (int32_t)tokens[i].size();
        append(out, &score, 4);
        append(out, &len, 4);
        append(out, tokens[i].data(), tokens[i].size());
    }
    return out;
}

std::vector<fuzz::Input> seeds() {
    return {pack(checkpoint(false), tokenizer_bin()), pack(checkpoint(true), tokenizer_bin())};
}

void one_input(const uint8_t* data, size_t size) {
    if (size < 4) return;
    uint32_t n;
    std::memcpy(&n, data, 4);
    const size_t rest = size - 4, bin_size = rest ? n % (rest + 1) : 0;
    const uint8_t* bin = data + 4;
    (void)parse_llama2c_header(bin, bin_size);
    fuzz::MemFile model(bin, bin_size, "model.bin");
    fuzz::MemFile tokenizer(bin + bin_size, rest - bin_size, "tokenizer.bin");
    if (auto v = read_llama2c_tokenizer(tokenizer.path(), 260); !v) fuzz::check_one_line(v.error());
    static const fuzz::ScratchDir out;
    const std::string path = out.file("out.gguf");
    Status s = convert_llama2c(model.path(), tokenizer.path(), path, {});
    if (!s) {
        fuzz::check_one_line(s.message());
        LAMINA_FUZZ_CHECK(out.names().empty(), "a failed conversion left a file");
    } else {
        std::filesystem::remove(path);
    }
}

}  // namespace

LAMINA_FUZZ_TARGET(llama2c, one_input, seeds)
