// `lamina run` as a llama-cli user drives it: prompt echo, escapes, standard input, the seed,
// llama.cpp's flag spellings, stop conditions, Ctrl-C, and the model-file errors.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <string>
#include <thread>

#include "gguf/gguf_reader.h"
#include "gguf/gguf_writer.h"
#include "runtime/logits_file.h"
#include "testing/cli_runner.h"
#include "testing/shared_data.h"
#include "testing/temp_dir.h"

namespace lamina {
namespace {

using testing::run_lamina;

const std::string kModel = LAMINA_DEFAULT_MODEL;  // the bundled model
const std::string kGreedy = "-m " + kModel + " -t 2 --temp 0 ";

TEST(CliRunHabits, MissingModelFromEnvironmentIsAnError) {
    testing::TempDir dir;
    auto r = run_lamina("run -p hi -n 2", dir, "", "LAMINA_MODEL=" + dir.file("typo.gguf"));
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("LAMINA_MODEL=" + dir.file("typo.gguf") + ": no such file"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(r.out, "");  // no fall-back to the bundled model
}

TEST(CliRunHabits, PromptIsEchoedUnlessDisabled) {
    testing::TempDir dir;
    auto echoed = run_lamina("run " + kGreedy + "-p 'In the beginning' -n 6", dir);
    auto bare =
        run_lamina("run " + kGreedy + "-p 'In the beginning' -n 6 --no-display-prompt", dir);
    ASSERT_EQ(echoed.status, 0) << echoed.err;
    ASSERT_EQ(bare.status, 0) << bare.err;
    EXPECT_EQ(echoed.out, "In the beginning" + bare.out);
    EXPECT_GT(bare.out.size(), 1u);
}

TEST(CliRunHabits, EscapesAreProcessedInThePrompt) {
    testing::TempDir dir;
    auto on = run_lamina("run " + kGreedy + "-e -p 'And God\\nsaid' -n 1", dir);
    ASSERT_EQ(on.status, 0) << on.err;
    EXPECT_EQ(on.out.rfind("And God\nsaid", 0), 0u) << on.out;
    auto off = run_lamina("run " + kGreedy + "--no-escape -p 'And God\\nsaid' -n 1", dir);
    ASSERT_EQ(off.status, 0) << off.err;
    EXPECT_EQ(off.out.rfind("And God\\nsaid", 0), 0u) << off.out;
}

TEST(CliRunHabits, PromptFromStandardInput) {
    testing::TempDir dir;
    auto arg = run_lamina("run " + kGreedy + "-p 'And the earth' -n 6", dir);
    auto piped = run_lamina("run " + kGreedy + "-n 6", dir, "And the earth");
    auto dash = run_lamina("run " + kGreedy + "-n 6 -f -", dir, "And the earth");
    ASSERT_EQ(arg.status, 0) << arg.err;
    EXPECT_EQ(piped.out, arg.out) << piped.err;
    EXPECT_EQ(dash.out, arg.out) << dash.err;
    // Empty standard input: an empty prompt, so generation starts from BOS alone.
    auto none = run_lamina("run " + kGreedy + "-n 6", dir);
    EXPECT_EQ(none.status, 0) << none.err;
    EXPECT_NE(none.err.find("prompt:            1 tokens"), std::string::npos) << none.err;
}

TEST(CliRunHabits, TheSeedUsedIsPrintedAndRepeatsTheRun) {
    testing::TempDir dir;
    auto first = run_lamina("run -m " + kModel + " -t 2 --temp 1 -p 'And' -n 12", dir);
    ASSERT_EQ(first.status, 0) << first.err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(first.err, m, std::regex("seed ([0-9]+)"))) << first.err;
    auto again =
        run_lamina("run -m " + kModel + " -t 2 --temp 1 -p 'And' -n 12 -s " + m[1].str(), dir);
    EXPECT_EQ(again.out, first.out);
}

TEST(CliRunHabits, LlamaCppSpellingsAndTypoHints) {
    testing::TempDir dir;
    auto r = run_lamina("run --model " + kModel +
                            " --prompt 'In' --n-predict 2 --predict 2 --ctx-size 64 --threads 1 "
                            "--seed 1 --batch-size 8 --temp 0",
                        dir);
    EXPECT_EQ(r.status, 0) << r.err;
    r = run_lamina("rnu -p hi", dir);
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("did you mean 'run'?"), std::string::npos) << r.err;
    r = run_lamina("run --ctx-sise 64 -p hi", dir);
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("did you mean '--ctx-size'?"), std::string::npos) << r.err;
}

TEST(CliRunHabits, FilesOfOtherFormatsSayWhatReadsThem) {
    testing::TempDir dir;
    const std::string json = R"({"__metadata__":{}})";
    std::string st(8, '\0');
    st[0] = (char)json.size();
    std::ofstream(dir.file("m.safetensors"), std::ios::binary) << st << json;
    auto r = run_lamina("run -m " + dir.file("m.safetensors") + " -p hi", dir);
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("not a GGUF file but a safetensors file"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("lamina convert"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;  // one line
}

TEST(CliRunHabits, ReversePromptStopsTheOutput) {
    testing::TempDir dir;
    auto full = run_lamina("run " + kGreedy + "-p 'And God said' -n 24 --no-display-prompt", dir);
    ASSERT_EQ(full.status, 0) << full.err;
    ASSERT_GT(full.out.size(), 12u);
    // A stop text from the middle of the greedy continuation: the output must end right there.
    const std::string stop = full.out.substr(8, 3);
    const size_t at = full.out.find(stop);
    auto cut = run_lamina(
        "run " + kGreedy + "-p 'And God said' -n 24 --no-display-prompt -r '" + stop + "'", dir);
    ASSERT_EQ(cut.status, 0) << cut.err;
    // Cut at the token that completed the stop text: a prefix of the full output, reaching it.
    const std::string text = cut.out.substr(0, cut.out.size() - 1);  // without the final newline
    EXPECT_EQ(full.out.rfind(text, 0), 0u) << text;
    EXPECT_GE(text.size(), at + stop.size());
    EXPECT_LT(text.size(), at + stop.size() + 16);
    EXPECT_NE(cut.err.find("stop: reverse prompt"), std::string::npos) << cut.err;
}

// The bundled model never ends its text within a few tokens; a copy whose end-of-text token is
// the one greedy decoding picks first ends at once, unless --ignore-eos.
TEST(CliRunHabits, IgnoreEosGoesOnPastTheEndToken) {
    testing::TempDir dir;
    auto first = run_lamina(
        "run " + kGreedy + "-p 'And God said' -n 1 --dump-logits " + dir.file("one.lgt"), dir);
    ASSERT_EQ(first.status, 0) << first.err;
    auto lgt = read_logits_file(dir.file("one.lgt"));
    ASSERT_TRUE(lgt) << lgt.error();
    const int32_t next = lgt->tokens[(size_t)lgt->n_prompt];
    auto src = GgufReader::open(kModel);
    ASSERT_TRUE(src) << src.error();
    GgufWriter w;
    for (const GgufKv& kv : (*src)->metadata())
        w.set(kv.key, kv.key == "tokenizer.ggml.eos_token_id" ? GgufValue::make_u32((uint32_t)next)
                                                              : kv.value);
    for (const GgufTensorInfo& t : (*src)->tensors())
        w.add_tensor(t.name, t.type, std::vector<int64_t>(t.ne, t.ne + t.n_dims),
                     (*src)->tensor_data(t));
    const std::string copy = dir.file("eos.gguf");
    ASSERT_TRUE(w.write(copy));
    const std::string args = "run -m " + copy + " -t 2 --temp 0 -p 'And God said' -n 5 ";
    auto stops = run_lamina(args, dir);
    EXPECT_NE(stops.err.find("0 tokens"), std::string::npos) << stops.err;
    EXPECT_NE(stops.err.find("stop: end of text"), std::string::npos) << stops.err;
    auto goes_on = run_lamina(args + "--ignore-eos", dir);
    EXPECT_NE(goes_on.err.find("5 tokens"), std::string::npos) << goes_on.err;
    EXPECT_NE(goes_on.err.find("stop: length"), std::string::npos) << goes_on.err;
}

TEST(CliRunHabits, DisplayAndLoggingFlags) {
    testing::TempDir dir;
    auto color = run_lamina("run " + kGreedy + "-p 'And' -n 2 --color", dir);
    EXPECT_EQ(color.out.rfind("\033[33mAnd\033[0m", 0), 0u) << color.out;
    auto verbose_prompt = run_lamina("run " + kGreedy + "-p 'And God' -n 1 --verbose-prompt", dir);
    auto ids = run_lamina("tokenize -m " + kModel + " -p 'And God' --ids", dir);
    const size_t n_ids = (size_t)std::count(ids.out.begin(), ids.out.end(), ',') + 1;
    EXPECT_NE(verbose_prompt.err.find("number of tokens in prompt = " + std::to_string(n_ids)),
              std::string::npos)
        << verbose_prompt.err;
    auto quiet = run_lamina("run " + kGreedy + "-p 'And' -n 2 --log-disable", dir);
    EXPECT_EQ(quiet.status, 0);
    EXPECT_EQ(quiet.err, "");
    auto loud = run_lamina("run " + kGreedy + "-p 'And' -n 2 -v", dir);
    EXPECT_NE(loud.err.find("sampling: temp 0"), std::string::npos) << loud.err;
    // --mlock may be refused by RLIMIT_MEMLOCK: then a warning, and the same text.
    auto locked = run_lamina("run " + kGreedy + "-p 'And' -n 2 --mlock", dir);
    EXPECT_EQ(locked.status, 0) << locked.err;
    EXPECT_EQ(locked.out, quiet.out);
    auto na = run_lamina("run " + kGreedy + "-p 'And' -n 2 --numa distribute -fa on", dir);
    EXPECT_EQ(na.status, 0) << na.err;
    EXPECT_EQ(na.out, quiet.out);
    EXPECT_NE(na.err.find("--numa has no effect"), std::string::npos) << na.err;
    EXPECT_NE(na.err.find("-fa has no effect"), std::string::npos) << na.err;
}

TEST(CliRunHabits, KeepShiftsTheContextInsteadOfStopping) {
    testing::TempDir dir;
    auto stops = run_lamina("run " + kGreedy + "-c 24 -p 'And God said' -n 40", dir);
    EXPECT_NE(stops.err.find("stop: context full"), std::string::npos) << stops.err;
    auto shifts = run_lamina("run " + kGreedy + "-c 24 -p 'And God said' -n 40 --keep 0", dir);
    ASSERT_EQ(shifts.status, 0) << shifts.err;
    EXPECT_NE(shifts.err.find("40 tokens"), std::string::npos) << shifts.err;
    EXPECT_NE(shifts.err.find("context shifts"), std::string::npos) << shifts.err;
    // Up to the first shift the text is the same.
    EXPECT_EQ(shifts.out.substr(0, stops.out.size() - 1),
              stops.out.substr(0, stops.out.size() - 1));
}

TEST(CliRunHabits, CtrlCStopsGenerationAndStillPrintsTheSummary) {
    testing::TempDir dir;
    const std::string out = dir.file("out"), err = dir.file("err");
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&files, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&files, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t def;
    sigemptyset(&def);
    sigaddset(&def, SIGINT);
    posix_spawnattr_setsigdefault(&attr, &def);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
    // Endless: no length limit, no end token, and the context shifted when full.
    std::vector<std::string> args = {
        LAMINA_CLI_PATH, "run", "-m", kModel,         "-t",     "1", "-p",
        "And",           "-n",  "-1", "--ignore-eos", "--keep", "0"};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    ASSERT_EQ(posix_spawn(&pid, argv[0], &files, &attr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&files);
    posix_spawnattr_destroy(&attr);
    // Wait until it generates (past the echoed prompt), then interrupt.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (testing::slurp(out).size() < 20 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ::kill(pid, SIGINT);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
    EXPECT_EQ(WEXITSTATUS(status), 130);
    const std::string summary = testing::slurp(err);
    EXPECT_NE(summary.find("stop: interrupted"), std::string::npos) << summary;
    EXPECT_NE(summary.find("tokens/s"), std::string::npos) << summary;
}

}  // namespace
}  // namespace lamina
