// lamina tokenize, run as a process: the id list and per-token output for a Llama vocabulary
// (ids from llama.cpp's llama-spm vectors), file input and argument errors.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "testing/shared_data.h"
#include "testing/temp_dir.h"

namespace lamina {
namespace {

// Runs the CLI with `args`; returns stdout and sets `rc` to the exit status.
std::string run_cli(const std::string& args, int* rc) {
    const std::string cmd = std::string(LAMINA_CLI_PATH) + " tokenize " + args + " 2>/dev/null";
    FILE* p = ::popen(cmd.c_str(), "r");
    std::string out;
    if (!p) {
        *rc = -1;
        return out;
    }
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    const int status = ::pclose(p);
    *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
}

TEST(CmdTokenizeTest, IdsAndPieces) {
    LAMINA_SHARED_FILE_OR_SKIP(vocab, "vocab/ggml-vocab-llama-spm.gguf");
    int rc = 0;
    // llama-spm.out: "Hello world" -> 15043 3186; BOS is 1.
    EXPECT_EQ(run_cli("-m " + vocab + " -p 'Hello world' --ids", &rc), "[1, 15043, 3186]\n");
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(run_cli("-m " + vocab + " -p 'Hello world' --ids --no-bos", &rc), "[15043, 3186]\n");
    EXPECT_EQ(run_cli("-m " + vocab + " -p 'Hello world'", &rc),
              "1\t'<s>'\n15043\t' Hello'\n3186\t' world'\n");
    EXPECT_EQ(run_cli("-m " + vocab + " -p 'a</s>' --ids --no-bos --special", &rc), "[263, 2]\n");
}

TEST(CmdTokenizeTest, FileInputIsReadExactly) {
    LAMINA_SHARED_FILE_OR_SKIP(vocab, "vocab/ggml-vocab-llama-spm.gguf");
    testing::TempDir dir;
    const std::string file = (dir.path() / "in.txt").string();
    std::ofstream(file, std::ios::binary) << "Hello world\n";
    int rc = 0;
    // The trailing newline is part of the text: byte token <0x0A> = 13.
    EXPECT_EQ(run_cli("-m " + vocab + " -f " + file + " --ids --no-bos", &rc),
              "[15043, 3186, 13]\n");
    EXPECT_EQ(rc, 0);
}

TEST(CmdTokenizeTest, BadArgumentsFail) {
    int rc = 0;
    run_cli("-m /nonexistent.gguf -p x", &rc);
    EXPECT_NE(rc, 0);
    run_cli("--bogus", &rc);
    EXPECT_NE(rc, 0);
}

}  // namespace
}  // namespace lamina
