// lamina: command-line entry point dispatching to the subcommands.
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/version.h"

namespace {

struct Command {
    const char* name;
    int (*fn)(int, char**);
    const char* summary;
};

constexpr Command kCommands[] = {
    {"run", lamina::cli::cmd_run, "generate text from a prompt"},
    {"chat", lamina::cli::cmd_chat, "talk with a model through its chat template"},
    {"info", lamina::cli::cmd_info, "print a GGUF file's metadata and tensor table"},
    {"tokenize", lamina::cli::cmd_tokenize, "show how a model's tokenizer splits text"},
    {"bench", lamina::cli::cmd_bench, "measure prompt and generation speed (like llama-bench)"},
    {"perplexity", lamina::cli::cmd_perplexity,
     "perplexity of a model over a text (like llama-perplexity)"},
    {"convert", lamina::cli::cmd_convert, "convert a llama2.c checkpoint and tokenizer to GGUF"},
    {"quantize", lamina::cli::cmd_quantize, "write a copy of a model with quantized weights"},
    {"template", lamina::cli::cmd_template,
     "render a conversation with a chat template (prints the prompt)"},
    {"gen-model", lamina::cli::cmd_gen_model,
     "write a llama GGUF with random weights of a named shape"},
};

void print_usage(FILE* out) {
    std::fprintf(out, "usage: lamina COMMAND [options]   (lamina COMMAND --help for details)\n");
    std::fprintf(out, "       lamina --version\n\n");
    std::fprintf(out, "commands:\n");
    for (const Command& c : kCommands) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        print_usage(stderr);
        return 2;
    }
    std::string_view name = argv[1];
    // `lamina help COMMAND` is `lamina COMMAND --help`.
    char help_flag[] = "--help";
    if (name == "help" && argc > 2) {
        argv[1] = argv[2];
        argv[2] = help_flag;
        name = argv[1];
    }
    if (name == "--help" || name == "-h" || name == "help") {
        print_usage(stdout);
        return 0;
    }
    if (name == "--version" || name == "version") {
        std::fputs(lamina::cli::version_text().c_str(), stdout);
        return 0;
    }
    for (const Command& c : kCommands) {
        if (name == c.name) return c.fn(argc - 1, argv + 1);
    }
    std::vector<std::string> names;
    for (const Command& c : kCommands) names.push_back(c.name);
    const std::string near = lamina::cli::nearest(name, names);
    if (!near.empty()) {
        std::fprintf(stderr, "lamina: unknown command '%s'; did you mean '%s'?\n", argv[1],
                     near.c_str());
        return 2;
    }
    std::fprintf(stderr, "lamina: unknown command '%s'\n", argv[1]);
    print_usage(stderr);
    return 2;
}
