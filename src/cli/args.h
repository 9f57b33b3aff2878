// ArgParser: llama.cpp-style command-line flags with typed values, --help text and clear errors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lamina::cli {

// Declare options with the add_* calls (each binds a variable holding its default), then parse.
// Flags may be written "-n 5", "--n-predict 5" or "--n-predict=5".
class ArgParser {
  public:
    ArgParser(std::string command, std::string usage, std::string description);

    void add_flag(const std::string& names, bool* out, const std::string& help);
    void add_string(const std::string& names, std::string* out, const std::string& meta,
                    const std::string& help);
    void add_strings(const std::string& names, std::vector<std::string>* out,
                     const std::string& meta,
                     const std::string& help);  // repeatable
    // Values outside [min, max] are an error naming the range (sizes and counts from the
    // command line bound allocations, so every such flag has one).
    void add_int(const std::string& names, int64_t* out, const std::string& meta,
                 const std::string& help, int64_t min = INT64_MIN, int64_t max = INT64_MAX);
    void add_float(const std::string& names, float* out, const std::string& meta,
                   const std::string& help);

    enum class Result { Ok, Help, Error };
    // On Help the help text has been printed to stdout; on Error a one-line message to stderr.
    // Arguments that are not options are collected in positional().
    Result parse(int argc, char** argv);
    const std::vector<std::string>& positional() const { return positional_; }
    void print_help() const;

  private:
    enum class Kind { Flag, String, Strings, Int, Float };
    struct Option {
        std::vector<std::string> names;
        Kind kind;
        void* out;
        std::string meta, help;
        int64_t min = INT64_MIN, max = INT64_MAX;  // Int only
    };
    const Option* find(const std::string& name) const;
    void add(const std::string& names, Kind kind, void* out, const std::string& meta,
             const std::string& help);

    std::string command_, usage_, description_;
    std::vector<Option> options_;
    std::vector<std::string> positional_;
};

}  // namespace lamina::cli
