// `lamina run` end to end: the binary as a user calls it.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

#include "runtime/logits_file.h"
#include "testing/shared_data.h"
#include "testing/temp_dir.h"

namespace lamina {
namespace {

struct CliResult {
    int status;
    std::string out, err;
};

CliResult run_cli(const std::string& args, const testing::TempDir& dir) {
    const std::string out = dir.file("stdout"), err = dir.file("stderr");
    const std::string cmd =
        std::string(LAMINA_CLI_PATH) + " " + args + " >" + out + " 2>" + err + " </dev/null";
    const int rc = std::system(cmd.c_str());
    auto slurp = [](const std::string& p) {
        std::ifstream f(p);
        return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    };
    return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, slurp(out), slurp(err)};
}

bool exists(const std::string& p) {
    struct stat st;
    return ::stat(p.c_str(), &st) == 0;
}

TEST(CliRun, GreedyDumpMatchesLlamaCppTokensAndLogits) {
    LAMINA_SHARED_FILE_OR_SKIP(model, "fixtures/rand-fix256-f16.gguf");
    LAMINA_SHARED_FILE_OR_SKIP(lgt, "fixtures/rand-fix256-f16.p1.lgt");
    testing::TempDir dir;
    const std::string dump = dir.file("p1.lgt");
    CliResult r = run_cli(
        "run -m " + model + " -p 'Once upon a time' -n 16 --temp 0 -t 2 --dump-logits " + dump,
        dir);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("tokens/s"), std::string::npos) << r.err;
    auto ours = read_logits_file(dump);
    auto ref = read_logits_file(lgt);
    ASSERT_TRUE(ours) << ours.error();
    ASSERT_TRUE(ref);
    EXPECT_EQ(ours->n_prompt, ref->n_prompt);
    EXPECT_EQ(ours->tokens, ref->tokens);  // same tokenization and the same greedy continuation
    ASSERT_EQ(ours->n_total, ref->n_total);
    for (int32_t p = 0; p < ref->n_total; ++p) {
        double d = 0, n = 0;
        for (int32_t i = 0; i < ref->n_vocab; ++i) {
            d += std::pow((double)ours->row(p)[i] - ref->row(p)[i], 2);
            n += std::pow((double)ref->row(p)[i], 2);
        }
        EXPECT_LT(std::sqrt(d / n), 2e-3) << "position " << p;
    }
}

TEST(CliRun, SameSeedSameText) {
    LAMINA_SHARED_FILE_OR_SKIP(model, "fixtures/rand-fix256-Q4_0.gguf");
    testing::TempDir dir;
    CliResult a = run_cli("run -m " + model + " -p 'The sea' -n 12 -s 7 --temp 1.0", dir);
    // Mapped or read into memory, the same weights give the same text.
    CliResult b = run_cli("run -m " + model + " -p 'The sea' -n 12 -s 7 --temp 1.0 --mmap", dir);
    CliResult b2 =
        run_cli("run -m " + model + " -p 'The sea' -n 12 -s 7 --temp 1.0 --no-mmap", dir);
    CliResult c = run_cli("run -m " + model + " -p 'The sea' -n 12 -s 8 --temp 1.0", dir);
    ASSERT_EQ(a.status, 0) << a.err;
    EXPECT_EQ(a.out, b.out);
    EXPECT_EQ(a.out, b2.out);
    EXPECT_NE(a.out, c.out);
}

TEST(CliRun, BadInputsAreOneLineErrors) {
    LAMINA_SHARED_FILE_OR_SKIP(model, "fixtures/rand-fix256-f16.gguf");
    testing::TempDir dir;
    // A prompt longer than the context.
    CliResult r = run_cli(
        "run -m " + model + " -c 8 -p 'one two three four five six seven eight nine ten'", dir);
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.err.find("context"), std::string::npos) << r.err;
    // A missing file, a file that is not GGUF, an unknown flag, a bad number.
    r = run_cli("run -m " + dir.file("missing.gguf") + " -p hi", dir);
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.err.find("cannot open"), std::string::npos) << r.err;
    std::ofstream(dir.file("junk.gguf")) << "this is not a model";
    r = run_cli("run -m " + dir.file("junk.gguf") + " -p hi", dir);
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.err.find("magic"), std::string::npos) << r.err;
    r = run_cli("run -m " + model + " --no-such-flag", dir);
    EXPECT_EQ(r.status, 2);
    r = run_cli("run -m " + model + " -n lots -p hi", dir);
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("integer"), std::string::npos) << r.err;
    // No partial dump file when the run fails.
    r = run_cli("run -m " + model + " -c 4 -p 'a b c d e f g h' --dump-logits " + dir.file("d.lgt"),
                dir);
    EXPECT_NE(r.status, 0);
    EXPECT_FALSE(exists(dir.file("d.lgt")));
}

TEST(CliRun, EveryCommandHasHelp) {
    testing::TempDir dir;
    for (const char* cmd :
         {"run", "info", "tokenize", "bench", "quantize", "gen-model", "perplexity", "convert"}) {
        CliResult r = run_cli(std::string(cmd) + " --help", dir);
        EXPECT_EQ(r.status, 0) << cmd;
        EXPECT_NE(r.out.find("usage: lamina"), std::string::npos) << cmd << ": " << r.out;
        // `lamina help COMMAND` is the same text.
        CliResult h = run_cli(std::string("help ") + cmd, dir);
        EXPECT_EQ(h.status, 0) << cmd;
        EXPECT_EQ(h.out, r.out) << cmd;
    }
}

}  // namespace
}  // namespace lamina
