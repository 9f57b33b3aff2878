// Test helper: reads shared/vocab/*.inp/.out tokenization vectors and checks a vocabulary
// against them (format in shared/README.md).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "gguf/gguf_reader.h"
#include "testing/shared_data.h"
#include "tokenizer/tokenizer.h"

namespace lamina::testing {

struct TokenizationVector {
    std::string text;
    std::vector<TokenId> ids;
};

inline std::string read_bytes(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

// Each string of the .inp file is followed by "\n__ggml_vocab_test__\n"; the .out file has one
// line of space-separated ids per string.
inline std::vector<TokenizationVector> read_vectors(const std::string& gguf_path) {
    const std::string inp = read_bytes(gguf_path + ".inp");
    const std::string out = read_bytes(gguf_path + ".out");
    const std::string sep = "__ggml_vocab_test__\n";
    std::vector<TokenizationVector> v;
    size_t pos = 0;
    while (pos < inp.size()) {
        // The separator is a whole line: find "\n" + sep, or sep at the very start.
        size_t at = (pos == 0 && inp.compare(0, sep.size(), sep) == 0) ? 0 : std::string::npos;
        size_t text_end = 0;
        if (at == 0) {
            text_end = 0;
        } else {
            at = inp.find("\n" + sep, pos);
            if (at == std::string::npos) break;
            text_end = at;
            at += 1;
        }
        v.push_back({inp.substr(pos, text_end - pos), {}});
        pos = at + sep.size();
    }
    std::istringstream lines(out);
    std::string line;
    size_t i = 0;
    while (std::getline(lines, line) && i < v.size()) {
        std::istringstream nums(line);
        TokenId id;
        while (nums >> id) v[i].ids.push_back(id);
        ++i;
    }
    EXPECT_EQ(i, v.size()) << "line count of " << gguf_path << ".out";
    return v;
}

inline std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path) {
    auto gguf = GgufReader::open(path);
    EXPECT_TRUE(gguf.has_value()) << gguf.error();
    if (!gguf) return nullptr;
    auto tok = Tokenizer::from_gguf(**gguf);
    EXPECT_TRUE(tok.has_value()) << tok.error();
    if (!tok) return nullptr;
    return std::move(*tok);
}

// Every vector must tokenize exactly (no BOS, special tokens not parsed).
inline void expect_vectors_pass(const std::string& path) {
    auto tok = load_tokenizer(path);
    ASSERT_TRUE(tok);
    const auto vectors = read_vectors(path);
    ASSERT_EQ(vectors.size(), 46u);
    int failures = 0;
    for (const auto& vec : vectors) {
        const auto got = tok->encode(vec.text, /*add_special=*/false, /*parse_special=*/false);
        if (got != vec.ids) ++failures;
        EXPECT_EQ(got, vec.ids) << "text: '" << vec.text << "'";
    }
    EXPECT_EQ(failures, 0);
}

}  // namespace lamina::testing
