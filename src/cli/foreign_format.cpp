// Model formats other than GGUF, told apart by their first bytes (and the name only as a hint).
#include "cli/foreign_format.h"

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace lamina::cli {
namespace {

constexpr const char* kNoConverter =
    ": no `lamina convert` mode reads it yet; convert it to GGUF with llama.cpp's "
    "convert_hf_to_gguf.py";

uint32_t u32_at(const unsigned char* b) {
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

bool ends_with(const std::string& s, const char* suffix) {
    const size_t n = std::strlen(suffix);
    return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// llama2.c's legacy header: seven int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads,
// vocab_size (negative when the classifier is not shared), seq_len) and then the weights.
bool looks_like_llama2c_v0(const unsigned char* b, uint64_t file_size) {
    int32_t h[7];
    std::memcpy(h, b, sizeof h);
    const int64_t vocab = h[5] < 0 ? -(int64_t)h[5] : h[5];
    if (h[0] <= 0 || h[0] > 65536 || h[1] <= 0 || h[1] > 262144 || h[2] <= 0 || h[2] > 1024 ||
        h[3] <= 0 || h[3] > h[0] || h[4] <= 0 || h[4] > h[3] || vocab <= 0 || vocab > 1 << 20 ||
        h[6] <= 0 || h[6] > 1 << 20)
        return false;
    // At least the token embedding table in F32 follows the header.
    return file_size >= 28 + (uint64_t)vocab * (uint64_t)h[0] * 4;
}

}  // namespace

std::optional<std::string> explain_foreign_format(const std::string& path) {
    // Only a regular file is sniffed: opening a FIFO would block until a writer came.
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
    std::ifstream f(path, std::ios::binary | std::ios::ate);
    if (!f) return std::nullopt;
    const uint64_t size = (uint64_t)f.tellg();
    f.seekg(0);
    unsigned char b[32] = {};
    f.read(reinterpret_cast<char*>(b), sizeof b);
    const size_t got = (size_t)f.gcount();
    if (got < 8 || std::memcmp(b, "GGUF", 4) == 0) return std::nullopt;

    uint64_t header_len = 0;
    std::memcpy(&header_len, b, 8);
    if (header_len > 1 && header_len + 8 <= size && b[8] == '{')
        return std::string("a safetensors file (Hugging Face weights)") + kNoConverter;
    if (std::memcmp(b, "PK\x03\x04", 4) == 0)
        return std::string("a PyTorch checkpoint (zip archive)") + kNoConverter;
    if (b[0] == 0x80 && b[1] >= 2 && b[1] <= 5)
        return std::string("a PyTorch checkpoint (pickle)") + kNoConverter;
    switch (u32_at(b)) {
        case 0x67676d6c:  // 'ggml'
        case 0x67676d66:  // 'ggmf'
        case 0x67676a74:  // 'ggjt'
            return std::string(
                "a GGML file from before GGUF (2023): no `lamina convert` mode reads it; "
                "llama.cpp's convert_llama_ggml_to_gguf.py turns it into GGUF");
        case 0x616b3432:  // 'ak42': llama2.c's versioned export
            return "a llama2.c checkpoint of version " +
                   std::to_string(got >= 8 ? u32_at(b + 4) : 0) +
                   ": `lamina convert --llama2c` reads only the legacy (version 0) export "
                   "(llama2.c's export.py --version 0)";
        default:
            break;
    }
    if (got >= 28 && looks_like_llama2c_v0(b, size))
        return std::string(
            "a llama2.c checkpoint: convert it with `lamina convert --llama2c FILE "
            "--tokenizer tokenizer.bin -o OUT.gguf`");
    if (ends_with(path, ".safetensors"))
        return std::string("named like a safetensors file, but its header is not one") +
               kNoConverter;
    if (ends_with(path, ".pth") || ends_with(path, ".pt"))
        return std::string("named like a PyTorch checkpoint, but its first bytes are not one") +
               kNoConverter;
    if (ends_with(path, ".bin"))
        return std::string(
            "a .bin file of no format lamina knows (`lamina convert --llama2c` reads llama2.c "
            "checkpoints)");
    return std::nullopt;
}

}  // namespace lamina::cli
