// Command-line options: one table per command, from which parsing, --help and typo hints follow.
//
// How to declare a command's options
// ----------------------------------
// 1. Keep the values in a struct whose member initialisers are the defaults.
// 2. Describe the command in a CommandSpec: each row of `options` gives the option's names
//    (comma-separated: llama.cpp's short and long spellings, then lamina's own aliases), binds a
//    member, names its value (METAVAR; a list such as "md|json|csv" also restricts the value to
//    those words) and says what it does. --help prints the bound member's value as the default
//    unless the help text already speaks of its default, so each default is written once.
// 3. Call parse_command_line(spec, argc, argv) and return its value when it has one: the exit
//    code after --help or --version (0) or after a usage error (2, message already on stderr).
//
//    struct EchoOptions { std::string text; int64_t times = 1; bool loud = false; };
//    int cmd_echo(int argc, char** argv) {
//        EchoOptions o;
//        std::vector<std::string> files;
//        CommandSpec spec{"echo", "-p TEXT [options] [FILE...]", "Prints TEXT.",
//                         {{"-p,--prompt", &o.text, "TEXT", "the text"},
//                          {"-n,--times", &o.times, "N", "how many times"},
//                          {"--loud", &o.loud, "in capitals"},
//                          {"--quiet", Off{&o.loud}, "not in capitals"},
//                          {"--numa", NotApplicable{"lamina has no NUMA placement", true}}},
//                         Positionals{&files, 0, 8}};
//        if (auto exit = parse_command_line(spec, argc, argv)) return *exit;
//
// Bound types: bool* (a flag, set true), Off{bool*} (a flag, set false), std::string*,
// std::vector<std::string>* (repeatable), int64_t*, float*, std::vector<int64_t>* (a
// comma-separated list such as "16,32", repeatable; both integer kinds take an optional range
// as two more fields: {"-c,--ctx-size", &o.n_ctx, "N", "context", 0, 1 << 20}), NotApplicable
// (accepted and reported on stderr as having no effect). Options shared by several commands
// (LoadFlags, ...) add their rows with spec.options.insert(...). Every command also gets -h/--help
// and --version.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace lamina::cli {

// A flag that clears a bool (--no-display-prompt, --no-escape).
struct Off {
    bool* target;
};

// An option of llama.cpp's that means nothing here: accepted so that command lines carry over,
// and reported. takes_value: it is followed by a value; optional_values: it may be followed by one
// of these words (llama.cpp's -fa takes on|off|auto in newer versions, nothing in older ones).
struct NotApplicable {
    std::string why;
    bool takes_value = false;
    std::vector<std::string> optional_values = {};
};

using OptionTarget = std::variant<bool*, Off, std::string*, std::vector<std::string>*, int64_t*,
                                  float*, std::vector<int64_t>*, NotApplicable>;

struct Option {
    Option(std::string names, bool* flag, std::string help);
    Option(std::string names, Off flag, std::string help);
    Option(std::string names, NotApplicable na, std::string help = "");
    Option(std::string names, std::string* value, std::string meta, std::string help);
    Option(std::string names, std::vector<std::string>* values, std::string meta, std::string help);
    Option(std::string names, int64_t* value, std::string meta, std::string help);
    // An integer (or each integer of a list) that must lie in [lo, hi]: sizes computed from it
    // then cannot overflow, and a typo such as -c 20480000 is an error, not an allocation.
    Option(std::string names, int64_t* value, std::string meta, std::string help, int64_t lo,
           int64_t hi);
    Option(std::string names, std::vector<int64_t>* values, std::string meta, std::string help,
           int64_t lo, int64_t hi);
    Option(std::string names, float* value, std::string meta, std::string help);
    Option(std::string names, std::vector<int64_t>* values, std::string meta, std::string help);

    std::vector<std::string> names;
    OptionTarget target;
    std::string meta, help;
    std::string default_text;  // the bound value when declared, for --help
    int64_t min_value = INT64_MIN, max_value = INT64_MAX;
};

// Where the arguments that are not options go, and how many there may be.
struct Positionals {
    std::vector<std::string>* out = nullptr;  // nullptr: none allowed
    size_t min = 0, max = 0;
};

struct CommandSpec {
    std::string name, usage, summary;
    std::vector<Option> options;
    Positionals positionals = {};
};

// Parses argv[1..argc) into the bound values (argv[0] is the command's name). std::nullopt: go
// on; otherwise the exit code to return, after the help text, the version or a one-line error.
std::optional<int> parse_command_line(const CommandSpec& spec, int argc, char** argv);

// The --help text.
std::string help_text(const CommandSpec& spec);

// The candidate nearest to `word` by edit distance (a swap of neighbours counting as one edit),
// when it is near enough to be a likely typo; "" otherwise.
std::string nearest(std::string_view word, const std::vector<std::string>& candidates);

// Edit distance with adjacent transpositions (optimal string alignment).
size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace lamina::cli
