// Conversion of a llama2.c checkpoint (legacy .bin, version 0) and its tokenizer.bin into GGUF.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/types.h"

namespace lamina {

// The 7 int32 of a legacy llama2.c header. vocab_size is stored negative in the file when a
// separate classifier (wcls) follows the weights; here it is always positive.
struct Llama2cConfig {
    int32_t dim = 0;
    int32_t hidden_dim = 0;
    int32_t n_layers = 0;
    int32_t n_heads = 0;
    int32_t n_kv_heads = 0;
    int32_t vocab_size = 0;
    int32_t seq_len = 0;
    bool shared_classifier = true;

    int64_t head_size() const { return dim / n_heads; }
    int64_t kv_dim() const { return head_size() * n_kv_heads; }
    // Floats after the header that a file with this config must hold exactly.
    int64_t n_floats() const;
    // Checks every size (positive, not absurd, heads dividing evenly).
    Status validate() const;
};

// Parses and validates the header of a llama2.c .bin (first 28 bytes).
Expected<Llama2cConfig> parse_llama2c_header(const uint8_t* bytes, size_t n);

// A llama2.c tokenizer.bin turned back into SentencePiece vocabulary text: spaces become U+2581,
// "\n<s>\n" / "\n</s>\n" become <s> / </s>; token types as llama.cpp stores them.
struct Llama2cVocab {
    std::vector<std::string> tokens;
    std::vector<float> scores;
    std::vector<int32_t> types;
};
Expected<Llama2cVocab> read_llama2c_tokenizer(const std::string& path, int32_t vocab_size);

struct Llama2cConvertOptions {
    DType type = DType::F16;       // matrices: F16 or F32 (norms stay F32)
    bool add_space_prefix = true;  // as the sentencepiece model was trained (add_dummy_prefix)
    float rope_freq_base = 10000.0f;
    float rms_eps = 1e-5f;
    std::string name = "llama2c";
};

// Reads MODEL.bin and TOKENIZER.bin, writes OUT.gguf (via OUT.gguf.tmp: no partial output).
Status convert_llama2c(const std::string& model_bin, const std::string& tokenizer_bin,
                       const std::string& out_gguf, const Llama2cConvertOptions& options);

}  // namespace lamina
