// BpePreTokenizer: splits text into words before byte-level BPE, with the regexes llama.cpp
// uses for each tokenizer.ggml.pre name (matched by PCRE2 in UTF + Unicode-property mode).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace lamina {

class BpePreTokenizer {
  public:
    // Unknown names fall back to llama.cpp's "default" regexes, as llama.cpp does.
    static Expected<BpePreTokenizer> create(const std::string& pre);
    BpePreTokenizer(BpePreTokenizer&&) noexcept;
    BpePreTokenizer& operator=(BpePreTokenizer&&) noexcept;
    ~BpePreTokenizer();

    // Words of `text` (valid UTF-8), as views into it. Each regex splits every piece left by the
    // previous one into its matches and the gaps between them; nothing is dropped.
    std::vector<std::string_view> split(std::string_view text) const;

    // Whole words that are vocabulary tokens skip the merges (llama3-style pre-tokenizers).
    bool ignore_merges() const { return ignore_merges_; }

  private:
    struct Regex;
    BpePreTokenizer() = default;
    std::vector<std::unique_ptr<Regex>> regexes_;
    bool ignore_merges_ = false;
};

}  // namespace lamina
