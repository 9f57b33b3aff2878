// LGT1 logits files: a token sequence plus float32 logit rows, as llama.cpp's reference dumps in
// shared/fixtures are stored (see shared/README.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/token_id.h"

namespace lamina {

// Layout (little-endian): "LGT1", int32 n_prompt, int32 n_total, int32 n_vocab, int32 first_row,
// int32 tokens[n_total], float32 logits[(n_total - first_row) * n_vocab].
struct LogitsFile {
    int32_t n_prompt = 0;  // prompt tokens, BOS included
    int32_t n_total = 0;   // prompt + generated
    int32_t n_vocab = 0;
    int32_t first_row = 0;        // position of the first stored row
    std::vector<TokenId> tokens;  // n_total ids
    std::vector<float> logits;    // rows for positions first_row .. n_total - 1

    int32_t n_rows() const { return n_total - first_row; }
    // Logits computed after feeding token `pos` (first_row <= pos < n_total).
    const float* row(int32_t pos) const {
        return logits.data() + (size_t)(pos - first_row) * n_vocab;
    }
    // Checks the fields against each other (counts, vector sizes, token ids within n_vocab).
    Status validate() const;
};

Expected<LogitsFile> read_logits_file(const std::string& path);
// Writes PATH.tmp and renames it over PATH, so PATH is never left half-written.
Status write_logits_file(const std::string& path, const LogitsFile& file);

}  // namespace lamina
