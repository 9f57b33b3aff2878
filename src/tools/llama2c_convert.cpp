#include "tools/llama2c_convert.h"

#include <cctype>
#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/fp16.h"
#include "gguf/gguf_writer.h"

namespace lamina {
namespace {

constexpr size_t kHeaderBytes = 7 * sizeof(int32_t);
constexpr int32_t kMaxTokenBytes = 1 << 16;

int32_t read_i32(const uint8_t* p) {
    int32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

Status check_range(const char* what, int64_t v, int64_t max) {
    if (v <= 0 || v > max) {
        return Status::error(std::string("llama2c header: ") + what + " = " + std::to_string(v) +
                             " is outside [1, " + std::to_string(max) + "]");
    }
    return Status::ok();
}

bool read_exact(std::ifstream& f, void* dst, size_t n) {
    f.read(static_cast<char*>(dst), (std::streamsize)n);
    return (size_t)f.gcount() == n;
}

// Where each llama2.c weight lives in the float array after the header.
struct Llama2cLayout {
    int64_t emb, rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3, rms_final, wcls, end;
};

Llama2cLayout layout_of(const Llama2cConfig& c) {
    const int64_t d = c.dim, h = c.hidden_dim, L = c.n_layers, kv = c.kv_dim();
    Llama2cLayout o{};
    int64_t at = 0;
    o.emb = at, at += (int64_t)c.vocab_size * d;
    o.rms_att = at, at += L * d;
    o.wq = at, at += L * d * d;
    o.wk = at, at += L * d * kv;
    o.wv = at, at += L * d * kv;
    o.wo = at, at += L * d * d;
    o.rms_ffn = at, at += L * d;
    o.w1 = at, at += L * d * h;
    o.w2 = at, at += L * h * d;
    o.w3 = at, at += L * d * h;
    o.rms_final = at, at += d;
    at += (int64_t)c.seq_len * c.head_size();  // freq_cis_real and freq_cis_imag, unused
    o.wcls = c.shared_classifier ? o.emb : at;
    o.end = c.shared_classifier ? at : at + (int64_t)c.vocab_size * d;
    return o;
}

}  // namespace

int64_t Llama2cConfig::n_floats() const {
    return layout_of(*this).end;
}

Status Llama2cConfig::validate() const {
    if (Status s = check_range("dim", dim, 1 << 16); !s) return s;
    if (Status s = check_range("hidden_dim", hidden_dim, 1 << 18); !s) return s;
    if (Status s = check_range("n_layers", n_layers, 4096); !s) return s;
    if (Status s = check_range("n_heads", n_heads, 4096); !s) return s;
    if (Status s = check_range("n_kv_heads", n_kv_heads, 4096); !s) return s;
    if (Status s = check_range("vocab_size (absolute value)", vocab_size, 1 << 22); !s) return s;
    if (Status s = check_range("seq_len", seq_len, 1 << 22); !s) return s;
    if (dim % n_heads != 0)
        return Status::error("llama2c header: dim is not a multiple of n_heads");
    if (n_heads % n_kv_heads != 0) {
        return Status::error("llama2c header: n_heads is not a multiple of n_kv_heads");
    }
    if (head_size() % 2 != 0) return Status::error("llama2c header: head size must be even");
    return Status::ok();
}

Expected<Llama2cConfig> parse_llama2c_header(const uint8_t* bytes, size_t n) {
    if (n < kHeaderBytes) {
        return Status::error("llama2c file is " + std::to_string(n) +
                             " bytes, shorter than its 28-byte header");
    }
    Llama2cConfig c;
    c.dim = read_i32(bytes);
    c.hidden_dim = read_i32(bytes + 4);
    c.n_layers = read_i32(bytes + 8);
    c.n_heads = read_i32(bytes + 12);
    c.n_kv_heads = read_i32(bytes + 16);
    const int32_t vocab = read_i32(bytes + 20);
    c.seq_len = read_i32(bytes + 24);
    c.shared_classifier = vocab > 0;
    c.vocab_size = vocab == INT32_MIN ? 0 : (vocab < 0 ? -vocab : vocab);
    if (Status s = c.validate(); !s) return s;
    return c;
}

Expected<Llama2cVocab> read_llama2c_tokenizer(const std::string& path, int32_t vocab_size) {
    // Checked before opening: opening a FIFO would block until someone writes to it.
    if (std::error_code kind; !std::filesystem::is_regular_file(path, kind))
        return Status::error("tokenizer " + path + ": not a regular file");
    std::ifstream f(path, std::ios::binary);
    if (!f) return Status::error("cannot open tokenizer " + path);
    std::error_code ec;
    const uint64_t file_size = std::filesystem::file_size(path, ec);
    if (ec) return Status::error("cannot read the size of " + path);
    const std::string where = "tokenizer " + path + ": ";
    int32_t max_len = 0;
    if (!read_exact(f, &max_len, 4)) return Status::error(where + "truncated header");
    if (max_len <= 0 || max_len > kMaxTokenBytes) {
        return Status::error(where + "max_token_length " + std::to_string(max_len) +
                             " is outside [1, " + std::to_string(kMaxTokenBytes) + "]");
    }
    Llama2cVocab v;
    uint64_t at = 4;
    for (int32_t i = 0; i < vocab_size; ++i) {
        float score = 0;
        int32_t len = 0;
        if (!read_exact(f, &score, 4) || !read_exact(f, &len, 4)) {
            return Status::error(where + "truncated at token " + std::to_string(i) + " of " +
                                 std::to_string(vocab_size));
        }
        if (len >= 0 && len <= max_len && at + 8 + (uint64_t)len > file_size) {
            return Status::error(where + "truncated at token " + std::to_string(i));
        }
        if (len < 0 || len > max_len) {
            return Status::error(where + "token " + std::to_string(i) + " has a bad length " +
                                 std::to_string(len));
        }
        std::string text((size_t)len, '\0');
        if (len > 0 && !read_exact(f, text.data(), (size_t)len)) {
            return Status::error(where + "truncated at token " + std::to_string(i));
        }
        at += 8 + (uint64_t)len;
        // llama2.c's exporter wrote BOS/EOS with newlines around them and spaces for U+2581.
        if (text == "\n<s>\n") text = "<s>";
        if (text == "\n</s>\n") text = "</s>";
        std::string piece;
        for (char ch : text) piece += ch == ' ' ? std::string("\xE2\x96\x81") : std::string(1, ch);
        int32_t type = 1;  // normal
        const bool byte_token = piece.size() == 6 && piece.compare(0, 3, "<0x") == 0 &&
                                piece[5] == '>' && std::isxdigit((unsigned char)piece[3]) &&
                                std::isxdigit((unsigned char)piece[4]);
        if (i == 0 || piece == "<unk>") {
            type = 2;
        } else if (i == 1 || i == 2 || piece == "<s>" || piece == "</s>") {
            type = 3;
        } else if (byte_token) {
            type = 6;
        }
        v.tokens.push_back(std::move(piece));
        v.scores.push_back(score);
        v.types.push_back(type);
    }
    if (at != file_size) {
        return Status::error(where + "has " + std::to_string(file_size - at) +
                             " bytes after the last of its " + std::to_string(vocab_size) +
                             " tokens (vocabulary size mismatch?)");
    }
    return v;
}

Status convert_llama2c(const std::string& model_bin, const std::string& tokenizer_bin,
                       const std::string& out_gguf, const Llama2cConvertOptions& opt) {
    if (opt.type != DType::F16 && opt.type != DType::F32) {
        return Status::error("llama2c conversion writes f16 or f32 only");
    }
    if (std::error_code kind; !std::filesystem::is_regular_file(model_bin, kind))
        return Status::error(model_bin + ": not a regular file");
    std::ifstream f(model_bin, std::ios::binary);
    if (!f) return Status::error("cannot open " + model_bin);
    std::error_code ec;
    const uint64_t file_size = std::filesystem::file_size(model_bin, ec);
    if (ec) return Status::error("cannot read the size of " + model_bin);
    uint8_t header[kHeaderBytes];
    const size_t got = file_size < kHeaderBytes ? (size_t)file_size : kHeaderBytes;
    if (!read_exact(f, header, got)) return Status::error("cannot read " + model_bin);
    Expected<Llama2cConfig> cfg = parse_llama2c_header(header, got);
    if (!cfg) return Status::error(model_bin + ": " + cfg.error());
    const Llama2cConfig c = *cfg;
    const uint64_t expected = kHeaderBytes + (uint64_t)c.n_floats() * 4;
    if (file_size != expected) {
        return Status::error(
            model_bin + ": " + std::to_string(file_size) + " bytes, but its header (dim " +
            std::to_string(c.dim) + ", " + std::to_string(c.n_layers) + " layers, vocab " +
            std::to_string(c.vocab_size) + ") needs exactly " + std::to_string(expected) +
            (file_size < expected ? " (truncated)" : ""));
    }
    Expected<Llama2cVocab> vocab = read_llama2c_tokenizer(tokenizer_bin, c.vocab_size);
    if (!vocab) return vocab.status();

    std::vector<float> w((size_t)c.n_floats());
    if (!read_exact(f, w.data(), w.size() * 4)) return Status::error("cannot read " + model_bin);

    GgufWriter g;
    const auto u32 = [](int64_t v) { return GgufValue::make_u32((uint32_t)v); };
    g.set("general.architecture", GgufValue::make_string("llama"));
    g.set("general.name", GgufValue::make_string(opt.name));
    g.set("general.file_type", u32(opt.type == DType::F16 ? 1 : 0));
    g.set("llama.context_length", u32(c.seq_len));
    g.set("llama.embedding_length", u32(c.dim));
    g.set("llama.block_count", u32(c.n_layers));
    g.set("llama.feed_forward_length", u32(c.hidden_dim));
    g.set("llama.attention.head_count", u32(c.n_heads));
    g.set("llama.attention.head_count_kv", u32(c.n_kv_heads));
    g.set("llama.attention.layer_norm_rms_epsilon", GgufValue::make_f32(opt.rms_eps));
    g.set("llama.rope.freq_base", GgufValue::make_f32(opt.rope_freq_base));
    g.set("llama.rope.dimension_count", u32(c.head_size()));
    g.set("llama.vocab_size", u32(c.vocab_size));
    g.set("tokenizer.ggml.model", GgufValue::make_string("llama"));
    g.set("tokenizer.ggml.tokens", GgufValue::make_string_array(vocab->tokens));
    g.set("tokenizer.ggml.scores", GgufValue::make_f32_array(vocab->scores));
    g.set("tokenizer.ggml.token_type", GgufValue::make_i32_array(vocab->types));
    g.set("tokenizer.ggml.bos_token_id", u32(1));
    g.set("tokenizer.ggml.eos_token_id", u32(2));
    g.set("tokenizer.ggml.unknown_token_id", u32(0));
    g.set("tokenizer.ggml.add_bos_token", GgufValue::make_bool(true));
    g.set("tokenizer.ggml.add_eos_token", GgufValue::make_bool(false));
    g.set("tokenizer.ggml.add_space_prefix", GgufValue::make_bool(opt.add_space_prefix));

    // Every llama2.c matrix is row-major (out, in), which is GGUF's ne = {in, out}: no permutation
    // (llama2.c's RoPE already rotates adjacent pairs, like GGUF's llama layout).
    const auto add = [&](const std::string& name, int64_t offset, std::vector<int64_t> ne,
                         bool matrix) {
        const DType type = matrix ? opt.type : DType::F32;
        const float* src = w.data() + offset;
        int64_t n = 1;
        for (int64_t d : ne) n *= d;
        g.add_tensor(name, type, ne, [=](uint8_t* dst, size_t nbytes) -> Status {
            if (nbytes != (size_t)n * (type == DType::F16 ? 2 : 4)) {
                return Status::error(name + ": unexpected tensor size");
            }
            if (type == DType::F32) {
                std::memcpy(dst, src, nbytes);
            } else {
                for (int64_t i = 0; i < n; ++i) {
                    const uint16_t h = fp32_to_fp16(src[i]);
                    std::memcpy(dst + 2 * i, &h, 2);
                }
            }
            return Status::ok();
        });
    };
    const Llama2cLayout o = layout_of(c);
    const int64_t d = c.dim, h = c.hidden_dim, kv = c.kv_dim();
    add("token_embd.weight", o.emb, {d, c.vocab_size}, true);
    for (int64_t l = 0; l < c.n_layers; ++l) {
        const std::string p = "blk." + std::to_string(l) + ".";
        add(p + "attn_norm.weight", o.rms_att + l * d, {d}, false);
        add(p + "attn_q.weight", o.wq + l * d * d, {d, d}, true);
        add(p + "attn_k.weight", o.wk + l * d * kv, {d, kv}, true);
        add(p + "attn_v.weight", o.wv + l * d * kv, {d, kv}, true);
        add(p + "attn_output.weight", o.wo + l * d * d, {d, d}, true);
        add(p + "ffn_norm.weight", o.rms_ffn + l * d, {d}, false);
        add(p + "ffn_gate.weight", o.w1 + l * d * h, {d, h}, true);  // llama2.c w1
        add(p + "ffn_down.weight", o.w2 + l * h * d, {h, d}, true);  // llama2.c w2
        add(p + "ffn_up.weight", o.w3 + l * d * h, {d, h}, true);    // llama2.c w3
    }
    add("output_norm.weight", o.rms_final, {d}, false);
    if (!c.shared_classifier) add("output.weight", o.wcls, {d, c.vocab_size}, true);
    return g.write(out_gguf);
}

}  // namespace lamina
