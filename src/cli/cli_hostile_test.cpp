// Hostile command lines and input files through the `lamina` binary: one line on stderr, a
// nonzero exit, no hang, and no partial output file.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gguf/gguf_test_bytes.h"
#include "testing/temp_dir.h"

namespace lamina {
namespace {

struct CliResult {
    int status;
    std::string err;
};

// Runs the binary with a 20 s limit, so a hang fails the test instead of stalling it.
CliResult run_cli(const std::string& args, const testing::TempDir& dir) {
    const std::string err = dir.file("stderr");
    const std::string cmd = "timeout 20 " + std::string(LAMINA_CLI_PATH) + " " + args +
                            " >/dev/null 2>" + err + " </dev/null";
    const int rc = std::system(cmd.c_str());
    std::ifstream f(err);
    return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1,
            std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>())};
}

void expect_one_line_error(const CliResult& r, int status, const std::string& word) {
    EXPECT_EQ(r.status, status) << r.err;
    EXPECT_NE(r.err.find(word), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(HostileCli, TextInputsMustBeRegularFiles) {
    testing::TempDir dir;
    const std::string fifo = dir.file("fifo");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const std::string folder = dir.path().string();
    // A directory used to read as an empty prompt (exit 0); a FIFO blocked forever.
    expect_one_line_error(run_cli("run -m x.gguf -f " + folder, dir), 1, "is a directory");
    expect_one_line_error(run_cli("tokenize -m x.gguf -f " + folder, dir), 1, "is a directory");
    expect_one_line_error(run_cli("tokenize -m x.gguf -f " + fifo, dir), 1, "not a regular file");
    expect_one_line_error(run_cli("run -m " + fifo + " -p hi", dir), 1, "not a regular file");
    expect_one_line_error(run_cli("info " + fifo, dir), 1, "not a regular file");
    expect_one_line_error(run_cli("perplexity -m x.gguf -f " + fifo, dir), 1, "not a regular file");
}

TEST(HostileCli, NumericFlagsHaveRanges) {
    testing::TempDir dir;
    // -c 2^31 ended in an uncaught bad_alloc, -c 2^62 in an overflowing layer size.
    for (const char* c : {"2147483648", "4611686018427387904", "-5"})
        expect_one_line_error(run_cli(std::string("run -m x.gguf -p hi -c ") + c, dir), 2,
                              "must be between");
    expect_one_line_error(run_cli("run -m x.gguf -p hi -b 0", dir), 2, "must be between");
    expect_one_line_error(run_cli("run -m x.gguf -p hi -n -2", dir), 2, "must be between");
    expect_one_line_error(run_cli("quantize a.gguf b.gguf Q8_0 -t 100000", dir), 2,
                          "must be between");
    expect_one_line_error(run_cli("bench -m x.gguf -d 99999999999", dir), 2, "must be between");
    expect_one_line_error(run_cli("perplexity -m x.gguf -f x.txt -t -1", dir), 2,
                          "must be between");
}

TEST(HostileCli, OversizedTensorFailsInfoAndQuantizeWithoutOutput) {
    testing::TempDir dir;
    testing::GgufBytes o;
    o.header(1, 0).tensor("w", {uint64_t(1) << 62}, 0, 0).pad().zeros(128);
    const std::string in = dir.file("huge.gguf"), out = dir.file("out.gguf");
    testing::write_bytes(in, o.b);
    // Both used to exit 0 (info) or abort on std::bad_alloc leaving OUT.tmp (quantize).
    expect_one_line_error(run_cli("info " + in, dir), 1, "exceeds the file");
    expect_one_line_error(run_cli("quantize " + in + " " + out + " Q8_0", dir), 1,
                          "exceeds the file");
    EXPECT_FALSE(std::filesystem::exists(out));
    EXPECT_FALSE(std::filesystem::exists(out + ".tmp"));
}

}  // namespace
}  // namespace lamina
