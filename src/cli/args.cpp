#include "cli/args.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace lamina::cli {

ArgParser::ArgParser(std::string command, std::string usage, std::string description)
    : command_(std::move(command)),
      usage_(std::move(usage)),
      description_(std::move(description)) {}

void ArgParser::add(const std::string& names, Kind kind, void* out, const std::string& meta,
                    const std::string& help) {
    Option o{{}, kind, out, meta, help};
    std::stringstream ss(names);
    for (std::string n; std::getline(ss, n, ',');) o.names.push_back(n);
    options_.push_back(std::move(o));
}

void ArgParser::add_flag(const std::string& n, bool* out, const std::string& h) {
    add(n, Kind::Flag, out, "", h);
}
void ArgParser::add_string(const std::string& n, std::string* out, const std::string& m,
                           const std::string& h) {
    add(n, Kind::String, out, m, h);
}
void ArgParser::add_strings(const std::string& n, std::vector<std::string>* out,
                            const std::string& m, const std::string& h) {
    add(n, Kind::Strings, out, m, h);
}
void ArgParser::add_int(const std::string& n, int64_t* out, const std::string& m,
                        const std::string& h, int64_t min, int64_t max) {
    add(n, Kind::Int, out, m, h);
    options_.back().min = min;
    options_.back().max = max;
}
void ArgParser::add_float(const std::string& n, float* out, const std::string& m,
                          const std::string& h) {
    add(n, Kind::Float, out, m, h);
}

const ArgParser::Option* ArgParser::find(const std::string& name) const {
    for (const Option& o : options_)
        for (const std::string& n : o.names)
            if (n == name) return &o;
    return nullptr;
}

ArgParser::Result ArgParser::parse(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            print_help();
            return Result::Help;
        }
        if (arg.size() < 2 || arg[0] != '-' || (arg[1] >= '0' && arg[1] <= '9')) {
            positional_.push_back(arg);
            continue;
        }
        std::string value;
        bool has_value = false;
        if (const size_t eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
            value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
            has_value = true;
        }
        const Option* o = find(arg);
        if (!o) {
            std::fprintf(stderr, "lamina %s: unknown option '%s' (see --help)\n", command_.c_str(),
                         arg.c_str());
            return Result::Error;
        }
        if (o->kind == Kind::Flag) {
            *static_cast<bool*>(o->out) = true;
            continue;
        }
        if (!has_value) {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "lamina %s: option %s needs a value\n", command_.c_str(),
                             arg.c_str());
                return Result::Error;
            }
            value = argv[++i];
        }
        char* end = nullptr;
        errno = 0;
        switch (o->kind) {
            case Kind::String:
                *static_cast<std::string*>(o->out) = value;
                break;
            case Kind::Strings:
                static_cast<std::vector<std::string>*>(o->out)->push_back(value);
                break;
            case Kind::Int: {
                const long long v = std::strtoll(value.c_str(), &end, 10);
                if (value.empty() || *end || errno) {
                    std::fprintf(stderr, "lamina %s: %s expects an integer, got '%s'\n",
                                 command_.c_str(), arg.c_str(), value.c_str());
                    return Result::Error;
                }
                if (v < o->min || v > o->max) {
                    std::fprintf(stderr, "lamina %s: %s must be between %lld and %lld, got %s\n",
                                 command_.c_str(), arg.c_str(), (long long)o->min,
                                 (long long)o->max, value.c_str());
                    return Result::Error;
                }
                *static_cast<int64_t*>(o->out) = v;
                break;
            }
            case Kind::Float: {
                const float v = std::strtof(value.c_str(), &end);
                if (value.empty() || *end || errno) {
                    std::fprintf(stderr, "lamina %s: %s expects a number, got '%s'\n",
                                 command_.c_str(), arg.c_str(), value.c_str());
                    return Result::Error;
                }
                *static_cast<float*>(o->out) = v;
                break;
            }
            case Kind::Flag:
                break;
        }
    }
    return Result::Ok;
}

void ArgParser::print_help() const {
    std::printf("usage: lamina %s %s\n\n%s\n\noptions:\n", command_.c_str(), usage_.c_str(),
                description_.c_str());
    for (const Option& o : options_) {
        std::string left;
        for (const std::string& n : o.names) left += (left.empty() ? "" : ", ") + n;
        if (!o.meta.empty()) left += " " + o.meta;
        std::printf("  %-28s %s\n", left.c_str(), o.help.c_str());
    }
    std::printf("  %-28s %s\n", "-h, --help", "show this help");
}

}  // namespace lamina::cli
