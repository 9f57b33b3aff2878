// The other commands as llama.cpp users drive them: --version, tokenize from stdin, the file type
// in info, bench's lists and llama-bench output formats, perplexity's defaults and progress, and
// scripts/run's clean stdout.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <string>

#include "testing/cli_runner.h"
#include "testing/shared_data.h"
#include "testing/temp_dir.h"

namespace lamina {
namespace {

using testing::run_lamina;

const std::string kModel = LAMINA_DEFAULT_MODEL;  // the bundled model (training context 256)

bool source_tree_has_git() {
    const std::string cmd =
        "git -C " + std::string(LAMINA_SOURCE_DIR) + " rev-parse >/dev/null 2>&1";
    return std::system(cmd.c_str()) == 0;
}

// Whether `commit` names a commit of the source tree's repository, by git's own answer.
bool is_a_commit_of_this_repository(const std::string& commit) {
    const std::string cmd = "git -C " + std::string(LAMINA_SOURCE_DIR) + " cat-file -e " + commit +
                            "^{commit} 2>/dev/null";
    return std::system(cmd.c_str()) == 0;
}

TEST(CliToolsHabits, VersionNamesCommitBuildAndKernels) {
    testing::TempDir dir;
    for (const char* args : {"--version", "run --version", "bench --version"}) {
        auto r = run_lamina(args, dir);
        EXPECT_EQ(r.status, 0) << args;
        EXPECT_TRUE(
            std::regex_search(r.out, std::regex("^lamina [0-9]+\\.[0-9]+\\.[0-9]+ \\(commit ")))
            << r.out;
        EXPECT_TRUE(std::regex_search(r.out, std::regex("\nbuild: [A-Za-z]+, "))) << r.out;
        EXPECT_TRUE(std::regex_search(r.out, std::regex("\nkernels: (scalar|avx2|avx512) ")))
            << r.out;
        // The commit is one of git's (the binary may predate later commits, so not always HEAD);
        // a tree without git says "unknown".
        std::smatch m;
        ASSERT_TRUE(std::regex_search(r.out, m, std::regex("\\(commit ([0-9a-f]{12}|unknown)")))
            << r.out;
        if (source_tree_has_git()) {
            EXPECT_TRUE(is_a_commit_of_this_repository(m[1].str())) << m[1].str();
        }
    }
}

TEST(CliToolsHabits, TokenizeReadsStandardInput) {
    LAMINA_SHARED_FILE_OR_SKIP(vocab, "vocab/ggml-vocab-llama-spm.gguf");
    testing::TempDir dir;
    // llama.cpp's llama-spm vectors: "Hello world" -> 15043 3186.
    auto r = run_lamina("tokenize -m " + vocab + " --stdin --ids --no-bos", dir, "Hello world");
    EXPECT_EQ(r.out, "[15043, 3186]\n") << r.err;
    r = run_lamina("tokenize -m " + vocab + " -f - --ids --no-bos", dir, "Hello world");
    EXPECT_EQ(r.out, "[15043, 3186]\n") << r.err;
    r = run_lamina("tokenize -m " + vocab + " -p x --stdin", dir, "y");
    EXPECT_EQ(r.status, 2);
}

TEST(CliToolsHabits, FileTypeNamedAsLlamaCppDoes) {
    LAMINA_SHARED_FILE_OR_SKIP(model, "fixtures/rand-fix256-Q4_K_M.gguf");
    testing::TempDir dir;
    auto info = run_lamina("info " + model, dir);
    ASSERT_EQ(info.status, 0) << info.err;
    EXPECT_TRUE(
        std::regex_search(info.out, std::regex("general\\.file_type +u32 +15 \\(Q4_K - Medium\\)")))
        << info.out.substr(0, 2000);
    auto run = run_lamina("run -m " + model + " -p hi -n 1 -t 2", dir);
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_NE(run.err.find("Q4_K - Medium"), std::string::npos) << run.err;
}

TEST(CliToolsHabits, BenchListsAndPaddedTable) {
    testing::TempDir dir;
    auto r = run_lamina("bench -m " + kModel + " -p 8,16 -n 4 -r 2 -t 2", dir);
    ASSERT_EQ(r.status, 0) << r.err;
    std::vector<std::string> lines;
    for (size_t at = 0, nl; (nl = r.out.find('\n', at)) != std::string::npos; at = nl + 1)
        lines.push_back(r.out.substr(at, nl - at));
    ASSERT_EQ(lines.size(), 5u) << r.out;  // header, rule, pp8, pp16, tg4
    EXPECT_TRUE(std::regex_search(lines[0], std::regex("\\| +t/s \\| +GOP/s \\| +GB/s \\|$")))
        << lines[0];
    EXPECT_NE(lines[2].find(" pp8 "), std::string::npos);
    EXPECT_NE(lines[3].find(" pp16 "), std::string::npos);
    EXPECT_NE(lines[4].find(" tg4 "), std::string::npos);
    auto columns = [](const std::string& s) {  // where the '|' separators stand, in characters
        std::vector<size_t> at;
        size_t col = 0;
        for (unsigned char c : s) {
            if (c == '|') at.push_back(col);
            col += (c & 0xC0) != 0x80;
        }
        return at;
    };
    for (const std::string& l : lines) EXPECT_EQ(columns(l), columns(lines[0])) << l;
}

TEST(CliToolsHabits, BenchSpeaksLlamaBenchFormats) {
    testing::TempDir dir;
    const std::string base = "bench -m " + kModel + " -p 8 -n 2 -r 1 -t 2 -o ";
    auto csv = run_lamina(base + "csv", dir);
    ASSERT_EQ(csv.status, 0) << csv.err;
    // llama-bench's field names, in its order (lamina's two rates appended).
    EXPECT_EQ(csv.out.substr(0, csv.out.find('\n')),
              "build_commit,build_number,cpu_info,gpu_info,backends,model_filename,model_type,"
              "model_size,model_n_params,n_batch,n_ubatch,n_threads,n_gpu_layers,use_mmap,"
              "n_prompt,n_gen,n_depth,test_time,avg_ns,stddev_ns,avg_ts,stddev_ts,gops,gbps");
    EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 3);
    auto jsonl = run_lamina(base + "jsonl", dir);
    ASSERT_EQ(std::count(jsonl.out.begin(), jsonl.out.end(), '\n'), 2) << jsonl.out;
    EXPECT_NE(jsonl.out.find("\"n_prompt\": 8, \"n_gen\": 0"), std::string::npos) << jsonl.out;
    EXPECT_NE(jsonl.out.find("\"n_prompt\": 0, \"n_gen\": 2"), std::string::npos) << jsonl.out;
    EXPECT_NE(jsonl.out.find("\"model_type\": \"llama "), std::string::npos) << jsonl.out;
    EXPECT_NE(jsonl.out.find("\"samples_ts\": ["), std::string::npos) << jsonl.out;
    auto json = run_lamina(base + "json", dir);
    EXPECT_EQ(json.out.front(), '[');
    EXPECT_EQ(json.out.substr(json.out.size() - 2), "]\n");
    EXPECT_NE(json.out.find("\"avg_ts\": "), std::string::npos);
    auto bad = run_lamina(base + "jsn", dir);
    EXPECT_EQ(bad.status, 2);
    EXPECT_NE(bad.err.find("did you mean 'json'?"), std::string::npos) << bad.err;
}

TEST(CliToolsHabits, PerplexityFitsTheModelAndShowsTimeLeft) {
    testing::TempDir dir;
    std::ofstream text(dir.file("text.txt"));
    for (int i = 0; i < 120; ++i)
        text << "And God said, Let there be light: and there was light. And God saw the light.\n";
    text.close();
    auto r = run_lamina(
        "perplexity -m " + kModel + " -t 2 -f " + dir.file("text.txt") + " --chunks 2", dir);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err.find("exceeds"), std::string::npos) << r.err;  // -c follows the model's 256
    EXPECT_NE(r.err.find("2 windows of 256"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("ETA"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("[2]"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("[3]"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Final estimate: PPL = "), std::string::npos) << r.out;
}

TEST(CliToolsHabits, QuantizeTakesLlamaQuantizeArguments) {
    testing::TempDir dir;
    // llama-quantize's form: IN OUT TYPE NTHREADS.
    auto r = run_lamina("quantize " + kModel + " " + dir.file("q8.gguf") + " Q8_0 2", dir);
    EXPECT_EQ(r.status, 0) << r.err;
    auto info = run_lamina("info " + dir.file("q8.gguf"), dir);
    EXPECT_NE(info.out.find("7 (Q8_0)"), std::string::npos);
    r = run_lamina("quantize " + kModel + " " + dir.file("x.gguf") + " Q8_O", dir);
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("did you mean 'Q8_0'?"), std::string::npos) << r.err;
    r = run_lamina("quantize " + kModel + " " + dir.file("x.gguf") + " Q8_0 two", dir);
    EXPECT_EQ(r.status, 2);
}

TEST(CliToolsHabits, ScriptsRunPrintsOnlyTheText) {
    testing::TempDir dir;
    const std::string bin_dir =
        std::string(LAMINA_CLI_PATH).substr(0, std::string(LAMINA_CLI_PATH).rfind('/'));
    const std::string cmd = "cd " + std::string(LAMINA_SOURCE_DIR) +
                            " && LAMINA_BUILD_DIR=" + bin_dir +
                            " scripts/run -p 'In the beginning' -n 3 --temp 0 -t 2 >" +
                            dir.file("out") + " 2>" + dir.file("err") + " </dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << testing::slurp(dir.file("err"));
    const std::string out = testing::slurp(dir.file("out"));
    EXPECT_EQ(out.rfind("In the beginning", 0), 0u) << out;
    EXPECT_EQ(out.find("ninja"), std::string::npos) << out;
}

}  // namespace
}  // namespace lamina
