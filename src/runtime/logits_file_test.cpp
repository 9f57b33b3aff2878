#include "runtime/logits_file.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "testing/shared_data.h"
#include "testing/temp_dir.h"

namespace lamina {
namespace {

namespace fs = std::filesystem;

using ::lamina::testing::TempDir;

void write_bytes(const std::string& path, const std::vector<int32_t>& words) {
    std::ofstream out(path, std::ios::binary);
    out.write("LGT1", 4);
    out.write(reinterpret_cast<const char*>(words.data()), (std::streamsize)(words.size() * 4));
}

LogitsFile small_file() {
    LogitsFile f;
    f.n_prompt = 2;
    f.n_total = 4;
    f.n_vocab = 3;
    f.first_row = 1;
    f.tokens = {1, 2, 0, 2};
    f.logits = {0.5f, -1.0f, 2.0f, 3.0f, 1e-30f, -7.25f, 0.0f, 1.0f, 2.0f};
    return f;
}

int argmax(const float* row, int n) {
    int best = 0;
    for (int i = 1; i < n; ++i) {
        if (row[i] > row[best]) best = i;
    }
    return best;
}

TEST(LogitsFile, ReadsFixtureP1AsReadmeDescribes) {
    LAMINA_SHARED_FILE_OR_SKIP(path, "fixtures/rand-fix256-f16.p1.lgt");
    Expected<LogitsFile> f = read_logits_file(path);
    ASSERT_TRUE(f) << f.error();
    // README: p1 is "Once upon a time" with BOS, 16 generated tokens, every row kept, Llama 2
    // vocabulary of 32000.
    EXPECT_EQ(f->n_vocab, 32000);
    EXPECT_EQ(f->first_row, 0);
    EXPECT_EQ(f->n_total - f->n_prompt, 16);
    // Llama 2 SentencePiece ids: <s>, "▁Once", "▁upon", "▁a", "▁time".
    ASSERT_EQ(f->n_prompt, 5);
    EXPECT_EQ(std::vector<TokenId>(f->tokens.begin(), f->tokens.begin() + 5),
              (std::vector<TokenId>{1, 9038, 2501, 263, 931}));
    // Header arithmetic against the real file length.
    const uint64_t size = fs::file_size(path);
    EXPECT_EQ(size, 20u + 4u * f->n_total + 4ull * f->n_rows() * f->n_vocab);
    // Greedy continuation: each generated token is the argmax of the row before it.
    for (int pos = f->n_prompt - 1; pos + 1 < f->n_total; ++pos) {
        EXPECT_EQ(argmax(f->row(pos), f->n_vocab), f->tokens[pos + 1]) << "position " << pos;
    }
}

TEST(LogitsFile, ReadsFixtureP2KeepingRowsFromLastPromptPosition) {
    LAMINA_SHARED_FILE_OR_SKIP(path, "fixtures/rand-fix256-f16.p2.lgt");
    Expected<LogitsFile> f = read_logits_file(path);
    ASSERT_TRUE(f) << f.error();
    EXPECT_EQ(f->n_total - f->n_prompt, 8);
    EXPECT_EQ(f->first_row, f->n_prompt - 1);
    EXPECT_EQ(f->tokens[0], 1);  // BOS
    EXPECT_EQ(fs::file_size(path), 20u + 4u * f->n_total + 4ull * f->n_rows() * f->n_vocab);
    for (int pos = f->first_row; pos + 1 < f->n_total; ++pos) {
        EXPECT_EQ(argmax(f->row(pos), f->n_vocab), f->tokens[pos + 1]) << "position " << pos;
    }
}

TEST(LogitsFile, RoundTripsExactly) {
    TempDir dir;
    const std::string path = dir.file("a.lgt");
    const LogitsFile f = small_file();
    ASSERT_TRUE(write_logits_file(path, f));
    EXPECT_FALSE(fs::exists(path + ".tmp"));
    EXPECT_EQ(fs::file_size(path), 20u + 4 * 4 + 4 * 3 * 3);
    Expected<LogitsFile> back = read_logits_file(path);
    ASSERT_TRUE(back) << back.error();
    EXPECT_EQ(back->n_prompt, 2);
    EXPECT_EQ(back->n_total, 4);
    EXPECT_EQ(back->n_vocab, 3);
    EXPECT_EQ(back->first_row, 1);
    EXPECT_EQ(back->tokens, f.tokens);
    EXPECT_EQ(back->logits, f.logits);
    EXPECT_EQ(back->row(2)[2], -7.25f);
}

TEST(LogitsFile, WriterRejectsInconsistentDataAndLeavesNoFile) {
    TempDir dir;
    const std::string path = dir.file("bad.lgt");
    LogitsFile f = small_file();
    f.logits.pop_back();
    Status s = write_logits_file(path, f);
    EXPECT_FALSE(s);
    EXPECT_NE(s.message().find("logits"), std::string::npos) << s.message();
    EXPECT_FALSE(fs::exists(path));
    EXPECT_FALSE(fs::exists(path + ".tmp"));

    f = small_file();
    f.tokens[3] = 3;  // == n_vocab
    EXPECT_FALSE(write_logits_file(path, f));
    EXPECT_FALSE(write_logits_file(dir.file("no/such/dir/x.lgt"), small_file()));
}

TEST(LogitsFile, ReaderRejectsMalformedFiles) {
    TempDir dir;
    struct Case {
        const char* name;
        std::vector<int32_t> words;
        const char* expect;
    };
    const std::vector<Case> cases = {
        {"short", {1, 2}, "too short"},
        {"truncated", {1, 2, 3, 0, 1, 2}, "does not match"},
        {"huge", {1, 0x7fffffff, 0x7fffffff, 0}, "does not match"},
        {"prompt_past_total", {3, 2, 3, 0, 0, 0}, "n_prompt"},
        {"negative_vocab", {0, 0, -1, 0}, "n_vocab"},
        {"first_row_past_total", {0, 1, 1, 2, 0}, "first_row"},
        {"token_out_of_range", {1, 1, 2, 1, 5}, "outside the vocabulary"},
    };
    for (const Case& c : cases) {
        const std::string path = dir.file(c.name);
        write_bytes(path, c.words);
        Expected<LogitsFile> f = read_logits_file(path);
        ASSERT_FALSE(f) << c.name;
        EXPECT_NE(f.error().find(c.expect), std::string::npos) << c.name << ": " << f.error();
        EXPECT_NE(f.error().find(path), std::string::npos) << "error names the file";
    }
    const std::string bad_magic = dir.file("magic");
    {
        std::ofstream out(bad_magic, std::ios::binary);
        out << "GGUF0000000000000000";
    }
    Expected<LogitsFile> f = read_logits_file(bad_magic);
    ASSERT_FALSE(f);
    EXPECT_NE(f.error().find("magic"), std::string::npos);
    EXPECT_FALSE(read_logits_file(dir.file("missing")));
}

}  // namespace
}  // namespace lamina
