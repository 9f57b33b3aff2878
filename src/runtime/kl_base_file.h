// KL base files: the scored logits of a reference perplexity run, for `lamina perplexity
// --kl-divergence` to compare another model file (a quantized one, say) against.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "tokenizer/tokenizer.h"

namespace lamina {

// Layout (little-endian): the 4 bytes "LKL1"; int32 n_vocab, int32 n_ctx, int32 n_windows,
// int32 n_tokens; int32 tokens[n_tokens] (the text's tokens as tokenized, before BOS
// replacement); then float32 logits, for each window its rows n_ctx/2 .. n_ctx-2 (the rows that
// predict the scored tokens), n_vocab floats per row.
struct KlBaseFile {
    int32_t n_vocab = 0;
    int32_t n_ctx = 0;
    int32_t n_windows = 0;
    std::vector<TokenId> tokens;
    std::vector<float> logits;

    int64_t rows_per_window() const { return n_ctx - 1 - n_ctx / 2; }
    Status validate() const;
};

Expected<KlBaseFile> read_kl_base_file(const std::string& path);
// Writes PATH.tmp and renames it over PATH.
Status write_kl_base_file(const std::string& path, const KlBaseFile& file);

}  // namespace lamina
