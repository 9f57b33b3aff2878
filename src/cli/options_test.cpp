// The option-table parser: aliases, value forms, lists, choices, flags that clear, options that
// do not apply, positionals, generated help and typo suggestions.
#include "cli/options.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lamina::cli {
namespace {

// argv from words; argv[0] is the command's name, as the commands receive it.
struct Argv {
    explicit Argv(std::vector<std::string> words) : words_(std::move(words)) {
        words_.insert(words_.begin(), "test");
        for (std::string& w : words_) ptrs_.push_back(w.data());
    }
    int argc() const { return (int)ptrs_.size(); }
    char** argv() { return ptrs_.data(); }

  private:
    std::vector<std::string> words_;
    std::vector<char*> ptrs_;
};

struct Values {
    std::string model;
    int64_t n = 128;
    float temp = 0.8f;
    bool echo = true, special = false;
    std::vector<std::string> stops;
    std::vector<int64_t> sizes = {512};
    std::string format = "md";
    std::vector<std::string> files;
};

CommandSpec spec_for(Values& v, Positionals pos = {}) {
    return CommandSpec{"test",
                       "[options]",
                       "A test command.",
                       {
                           {"-m,--model", &v.model, "FILE", "model"},
                           {"-n,--predict,--n-predict", &v.n, "N", "tokens"},
                           {"--temp", &v.temp, "T", "temperature"},
                           {"--no-display-prompt", Off{&v.echo}, "no echo"},
                           {"--special", &v.special, "special tokens"},
                           {"-r,--reverse-prompt", &v.stops, "TEXT", "stop text"},
                           {"-p,--n-prompt", &v.sizes, "N,...", "sizes"},
                           {"-o,--output", &v.format, "md|csv|json|jsonl", "format"},
                           {"--numa", NotApplicable{"no NUMA here", true}},
                           {"-fa,--flash-attn", NotApplicable{"one path", false, {"on", "off"}}},
                       },
                       pos};
}

std::optional<int> parse(Values& v, std::vector<std::string> words, Positionals pos = {}) {
    Argv a(std::move(words));
    return parse_command_line(spec_for(v, pos), a.argc(), a.argv());
}

TEST(CliOptions, EveryAliasAndValueForm) {
    Values v;
    EXPECT_EQ(parse(v, {"--model", "a.gguf", "--n-predict=5", "--temp", "0.5"}), std::nullopt);
    EXPECT_EQ(v.model, "a.gguf");
    EXPECT_EQ(v.n, 5);
    EXPECT_FLOAT_EQ(v.temp, 0.5f);
    Values w;
    EXPECT_EQ(parse(w, {"-m", "b.gguf", "--predict", "-1", "--special"}), std::nullopt);
    EXPECT_EQ(w.model, "b.gguf");
    EXPECT_EQ(w.n, -1);  // a negative number is a value, not an option
    EXPECT_TRUE(w.special);
}

TEST(CliOptions, FlagsThatClearListsAndRepeats) {
    Values v;
    EXPECT_EQ(
        parse(v, {"--no-display-prompt", "-r", "END", "-r", "STOP", "-p", "16,32", "-p", "64"}),
        std::nullopt);
    EXPECT_FALSE(v.echo);
    EXPECT_EQ(v.stops, (std::vector<std::string>{"END", "STOP"}));
    // The first -p replaces the default 512; later ones add to the list.
    EXPECT_EQ(v.sizes, (std::vector<int64_t>{16, 32, 64}));
}

TEST(CliOptions, NotApplicableOptionsAreAcceptedWithOrWithoutValues) {
    Values v;
    EXPECT_EQ(parse(v, {"--numa", "distribute", "-fa", "-n", "3"}), std::nullopt);
    EXPECT_EQ(v.n, 3);  // -fa did not swallow -n
    Values w;
    EXPECT_EQ(parse(w, {"-fa", "on", "-n", "4"}), std::nullopt);
    EXPECT_EQ(w.n, 4);
}

TEST(CliOptions, UsageErrorsExitWithTwo) {
    Values v;
    EXPECT_EQ(parse(v, {"-n", "lots"}), 2);
    EXPECT_EQ(parse(v, {"-p", "16,x"}), 2);
    EXPECT_EQ(parse(v, {"-o", "yaml"}), 2);
    EXPECT_EQ(parse(v, {"--model"}), 2);          // no value
    EXPECT_EQ(parse(v, {"--special=yes"}), 2);    // a flag takes none
    EXPECT_EQ(parse(v, {"--ctx-sise", "5"}), 2);  // unknown
    EXPECT_EQ(parse(v, {"stray"}), 2);            // no positionals declared
    Values w;
    EXPECT_EQ(parse(w, {"-o", "jsonl"}), std::nullopt);
    EXPECT_EQ(w.format, "jsonl");
}

TEST(CliOptions, ErrorsNameTheNearestOption) {
    Values v;
    auto message = [&](std::vector<std::string> words) {
        ::testing::internal::CaptureStderr();
        EXPECT_EQ(parse(v, std::move(words)), 2);
        return ::testing::internal::GetCapturedStderr();
    };
    EXPECT_EQ(message({"--modle", "x"}),
              "lamina test: unknown option '--modle'; did you mean '--model'?\n");
    EXPECT_EQ(message({"model", "x"}),  // dashes left out
              "lamina test: unexpected argument 'model'; did you mean '--model'? (see lamina test "
              "--help)\n");
    EXPECT_EQ(
        message({"-o", "jsn"}),
        "lamina test: -o must be one of md|csv|json|jsonl, not 'jsn'; did you mean 'json'?\n");
    EXPECT_EQ(message({"--zzz"}), "lamina test: unknown option '--zzz' (see lamina test --help)\n");
}

TEST(CliOptions, PositionalsAreCountedAndKept) {
    Values v;
    EXPECT_EQ(parse(v, {"a", "-n", "2", "b"}, Positionals{&v.files, 2, 2}), std::nullopt);
    EXPECT_EQ(v.files, (std::vector<std::string>{"a", "b"}));
    Values w;
    EXPECT_EQ(parse(w, {"a"}, Positionals{&w.files, 2, 3}), 2);
    // "-" (standard input) is a positional, not an option.
    Values x;
    EXPECT_EQ(parse(x, {"-"}, Positionals{&x.files, 1, 1}), std::nullopt);
    EXPECT_EQ(x.files, (std::vector<std::string>{"-"}));
}

TEST(CliOptions, HelpShowsEveryNameAndTheDeclaredDefaults) {
    Values v;
    const std::string help = help_text(spec_for(v));
    EXPECT_NE(help.find("usage: lamina test [options]"), std::string::npos) << help;
    EXPECT_NE(help.find("-n, --predict, --n-predict N"), std::string::npos) << help;
    EXPECT_NE(help.find("tokens (default 128)"), std::string::npos) << help;
    EXPECT_NE(help.find("temperature (default 0.8)"), std::string::npos) << help;
    EXPECT_NE(help.find("sizes (default 512)"), std::string::npos) << help;
    EXPECT_NE(help.find("--version"), std::string::npos) << help;
    EXPECT_EQ(help.find("model (default"), std::string::npos) << help;  // empty: no default shown
}

TEST(CliOptions, EditDistanceCountsSwapsAsOneEdit) {
    // Textbook values: kitten -> sitting is 3 edits; a transposition is one edit in the
    // optimal-string-alignment distance (and two in plain Levenshtein).
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
    EXPECT_EQ(edit_distance("rnu", "run"), 1u);
    EXPECT_EQ(edit_distance("", "abc"), 3u);
    EXPECT_EQ(edit_distance("same", "same"), 0u);
    EXPECT_EQ(edit_distance("ca", "abc"), 3u);  // OSA, unlike unrestricted Damerau (2)
}

TEST(CliOptions, NearestSuggestsOnlyLikelyTypos) {
    const std::vector<std::string> commands = {"run", "info", "tokenize", "bench", "perplexity"};
    EXPECT_EQ(nearest("rnu", commands), "run");
    EXPECT_EQ(nearest("tokenise", commands), "tokenize");
    EXPECT_EQ(nearest("perplexty", commands), "perplexity");
    EXPECT_EQ(nearest("xyz", commands), "");
    EXPECT_EQ(nearest("run", commands), "");  // an exact match is not a typo
    const std::vector<std::string> flags = {"--ctx-size", "--threads", "--temp"};
    EXPECT_EQ(nearest("--ctx-sise", flags), "--ctx-size");
    EXPECT_EQ(nearest("--thread", flags), "--threads");
    EXPECT_EQ(nearest("--temperature", flags), "");
}

}  // namespace
}  // namespace lamina::cli
