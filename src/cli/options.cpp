// Command-line parsing from a command's option table (see options.h for how to declare one).
#include "cli/options.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>

#include "cli/version.h"

namespace lamina::cli {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> parts;
    std::stringstream ss(s);
    for (std::string p; std::getline(ss, p, sep);) parts.push_back(p);
    return parts;
}

std::string format_float(float v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", (double)v);
    return buf;
}

// The text --help shows as the default: the bound value, or "" where there is nothing to show.
struct DefaultText {
    std::string operator()(bool*) const { return ""; }
    std::string operator()(const Off&) const { return ""; }
    std::string operator()(const NotApplicable&) const { return ""; }
    std::string operator()(std::string* v) const { return *v; }
    std::string operator()(std::vector<std::string>* v) const {
        std::string s;
        for (const std::string& x : *v) s.append(s.empty() ? "" : ",").append(x);
        return s;
    }
    std::string operator()(int64_t* v) const { return std::to_string(*v); }
    std::string operator()(float* v) const { return format_float(*v); }
    std::string operator()(std::vector<int64_t>* v) const {
        std::string s;
        for (int64_t x : *v) s.append(s.empty() ? "" : ",").append(std::to_string(x));
        return s;
    }
};

bool parse_int(const std::string& s, int64_t* out) {
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || *end || errno) return false;
    *out = v;
    return true;
}

class Parser {
  public:
    Parser(const CommandSpec& spec) : spec_(spec) {}

    std::optional<int> run(int argc, char** argv) {
        std::vector<std::string> positional;
        for (int i = 1; i < argc; ++i) {
            std::string arg = argv[i];
            if (arg == "-h" || arg == "--help") {
                std::fputs(help_text(spec_).c_str(), stdout);
                return 0;
            }
            if (arg == "--version") {
                std::fputs(version_text().c_str(), stdout);
                return 0;
            }
            // "-" is standard input, "-5" a negative number: both are values, not options.
            if (arg.size() < 2 || arg[0] != '-' || (arg[1] >= '0' && arg[1] <= '9')) {
                positional.push_back(arg);
                continue;
            }
            std::optional<std::string> value;
            if (const size_t eq = arg.find('=');
                arg.rfind("--", 0) == 0 && eq != std::string::npos) {
                value = arg.substr(eq + 1);
                arg = arg.substr(0, eq);
            }
            const Option* o = find(arg);
            if (!o) return unknown(arg);
            if (const auto* na = std::get_if<NotApplicable>(&o->target)) {
                if (!value && i + 1 < argc &&
                    (na->takes_value || std::ranges::count(na->optional_values, argv[i + 1])))
                    value = argv[++i];
                std::fprintf(stderr, "lamina %s: note: %s has no effect: %s\n", spec_.name.c_str(),
                             arg.c_str(), na->why.c_str());
                continue;
            }
            const bool is_flag =
                std::holds_alternative<bool*>(o->target) || std::holds_alternative<Off>(o->target);
            if (is_flag) {
                if (value) return error("option " + arg + " takes no value");
                if (auto* b = std::get_if<bool*>(&o->target)) **b = true;
                if (auto* off = std::get_if<Off>(&o->target)) *off->target = false;
                continue;
            }
            if (!value) {
                if (i + 1 >= argc)
                    return error("option " + arg + " needs a value (" + o->meta + ")");
                value = argv[++i];
            }
            if (auto rc = store(*o, arg, *value)) return rc;
        }
        return take_positionals(positional);
    }

  private:
    const Option* find(const std::string& name) const {
        for (const Option& o : spec_.options)
            if (std::ranges::count(o.names, name)) return &o;
        return nullptr;
    }

    std::optional<int> error(const std::string& message) const {
        std::fprintf(stderr, "lamina %s: %s\n", spec_.name.c_str(), message.c_str());
        return 2;
    }

    std::optional<int> unknown(const std::string& arg) const {
        std::vector<std::string> all = {"--help", "--version"};
        for (const Option& o : spec_.options) all.insert(all.end(), o.names.begin(), o.names.end());
        const std::string near = nearest(arg, all);
        if (!near.empty())
            return error("unknown option '" + arg + "'; did you mean '" + near + "'?");
        return error("unknown option '" + arg + "' (see lamina " + spec_.name + " --help)");
    }

    std::optional<int> store(const Option& o, const std::string& arg, const std::string& value) {
        // A METAVAR that lists words ("md|json|csv") is the set of accepted values.
        if (o.meta.find('|') != std::string::npos &&
            std::holds_alternative<std::string*>(o.target)) {
            const std::vector<std::string> words = split(o.meta, '|');
            if (!std::ranges::count(words, value)) {
                const std::string near = nearest(value, words);
                return error(arg + " must be one of " + o.meta + ", not '" + value + "'" +
                             (near.empty() ? "" : "; did you mean '" + near + "'?"));
            }
        }
        if (auto* s = std::get_if<std::string*>(&o.target)) {
            **s = value;
        } else if (auto* v = std::get_if<std::vector<std::string>*>(&o.target)) {
            (*v)->push_back(value);
        } else if (auto* n = std::get_if<int64_t*>(&o.target)) {
            if (!parse_int(value, *n))
                return error(arg + " expects an integer, got '" + value + "'");
            if (auto e = check_range(o, arg, **n)) return e;
        } else if (auto* f = std::get_if<float*>(&o.target)) {
            char* end = nullptr;
            errno = 0;
            const float x = std::strtof(value.c_str(), &end);
            if (value.empty() || *end || errno)
                return error(arg + " expects a number, got '" + value + "'");
            **f = x;
        } else if (auto* list = std::get_if<std::vector<int64_t>*>(&o.target)) {
            // The first use replaces the default list; later uses (and commas) add to it.
            if (!lists_given_.count(*list)) (*list)->clear();
            lists_given_.insert(*list);
            for (const std::string& part : split(value, ',')) {
                int64_t x = 0;
                if (!parse_int(part, &x))
                    return error(arg + " expects integers separated by commas, got '" + value +
                                 "'");
                if (auto e = check_range(o, arg, x)) return e;
                (*list)->push_back(x);
            }
        }
        return std::nullopt;
    }

    std::optional<int> check_range(const Option& o, const std::string& arg, int64_t v) const {
        if (v >= o.min_value && v <= o.max_value) return std::nullopt;
        return error(arg + " must be between " + std::to_string(o.min_value) + " and " +
                     std::to_string(o.max_value) + ", not " + std::to_string(v));
    }

    std::optional<int> take_positionals(const std::vector<std::string>& positional) const {
        const Positionals& p = spec_.positionals;
        if (!p.out && !positional.empty()) {
            // A word where an option was meant (dashes left out) is the common cause.
            std::vector<std::string> full, bare;
            for (const Option& o : spec_.options)
                for (const std::string& n : o.names) {
                    full.push_back(n);
                    bare.push_back(n.substr(n.find_first_not_of('-')));
                }
            std::string hint;
            if (auto it = std::ranges::find(bare, positional[0]); it != bare.end())
                hint = full[(size_t)(it - bare.begin())];
            else if (const std::string near = nearest(positional[0], bare); !near.empty())
                hint = full[(size_t)(std::ranges::find(bare, near) - bare.begin())];
            return error("unexpected argument '" + positional[0] + "'" +
                         (hint.empty() ? "" : "; did you mean '" + hint + "'?") + " (see lamina " +
                         spec_.name + " --help)");
        }
        if (p.out && (positional.size() < p.min || positional.size() > p.max))
            return error("expected " + spec_.usage + " (see lamina " + spec_.name + " --help)");
        if (p.out) *p.out = positional;
        return std::nullopt;
    }

    const CommandSpec& spec_;
    std::set<const void*> lists_given_;  // list options already given once on this line
};

}  // namespace

Option::Option(std::string n, bool* flag, std::string h)
    : names(split(n, ',')), target(flag), help(std::move(h)) {}
Option::Option(std::string n, Off flag, std::string h)
    : names(split(n, ',')), target(flag), help(std::move(h)) {}
Option::Option(std::string n, NotApplicable na, std::string h)
    : names(split(n, ',')), target(na), help(std::move(h)) {
    if (na.takes_value) meta = "VALUE";
    for (const std::string& v : na.optional_values) meta.append(meta.empty() ? "[" : "|").append(v);
    if (!na.optional_values.empty()) meta += "]";
    if (help.empty()) help = "accepted for llama.cpp's command lines; no effect: " + na.why;
}
Option::Option(std::string n, std::string* v, std::string m, std::string h)
    : names(split(n, ',')), target(v), meta(std::move(m)), help(std::move(h)) {}
Option::Option(std::string n, std::vector<std::string>* v, std::string m, std::string h)
    : names(split(n, ',')), target(v), meta(std::move(m)), help(std::move(h)) {}
Option::Option(std::string n, int64_t* v, std::string m, std::string h)
    : names(split(n, ',')), target(v), meta(std::move(m)), help(std::move(h)) {}
Option::Option(std::string n, int64_t* v, std::string m, std::string h, int64_t lo, int64_t hi)
    : Option(std::move(n), v, std::move(m), std::move(h)) {
    min_value = lo;
    max_value = hi;
}
Option::Option(std::string n, std::vector<int64_t>* v, std::string m, std::string h, int64_t lo,
               int64_t hi)
    : Option(std::move(n), v, std::move(m), std::move(h)) {
    min_value = lo;
    max_value = hi;
}
Option::Option(std::string n, float* v, std::string m, std::string h)
    : names(split(n, ',')), target(v), meta(std::move(m)), help(std::move(h)) {}
Option::Option(std::string n, std::vector<int64_t>* v, std::string m, std::string h)
    : names(split(n, ',')), target(v), meta(std::move(m)), help(std::move(h)) {}

std::optional<int> parse_command_line(const CommandSpec& spec, int argc, char** argv) {
    return Parser(spec).run(argc, argv);
}

std::string help_text(const CommandSpec& spec) {
    std::string out =
        "usage: lamina " + spec.name + " " + spec.usage + "\n\n" + spec.summary + "\n\noptions:\n";
    // Help text wraps at kWidth columns, in a column of its own after the names.
    constexpr size_t kIndent = 32, kWidth = 100;
    auto row = [&](std::string left, const std::string& help) {
        left = "  " + left;
        // Long option names push the help to the next line rather than out of the column.
        if (left.size() > kIndent - 1)
            left.append("\n").append(kIndent - 1, ' ');
        else
            left.resize(kIndent - 1, ' ');
        out += left;
        size_t col = kIndent - 1;
        std::stringstream words(help);
        for (std::string w; words >> w;) {
            if (col + 1 + w.size() > kWidth && col > kIndent - 1) {
                out.append("\n").append(kIndent - 1, ' ');
                col = kIndent - 1;
            }
            out.append(" ").append(w);
            col += 1 + w.size();
        }
        out += "\n";
    };
    for (const Option& o : spec.options) {
        std::string left;
        for (const std::string& n : o.names) left.append(left.empty() ? "" : ", ").append(n);
        if (!o.meta.empty()) left.append(" ").append(o.meta);
        std::string help = o.help;
        const std::string def = std::visit(DefaultText{}, o.target);
        if (!def.empty() && help.find("default") == std::string::npos)
            help.append(" (default ").append(def).append(")");
        row(left, help);
    }
    row("-h, --help", "show this help");
    row("--version", "show the version, build and the kernel set this CPU gets");
    return out;
}

size_t edit_distance(std::string_view a, std::string_view b) {
    // Rows i-2, i-1 and i of the optimal-string-alignment table.
    std::vector<size_t> prev2(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                cur[j] = std::min(cur[j], prev2[j - 2] + 1);
        }
        prev2.swap(prev);
        prev.swap(cur);
    }
    return prev[b.size()];
}

std::string nearest(std::string_view word, const std::vector<std::string>& candidates) {
    std::string best;
    size_t best_d = SIZE_MAX;
    for (const std::string& c : candidates) {
        const size_t d = edit_distance(word, c);
        if (d < best_d) best_d = d, best = c;
    }
    // About one edit in three letters (dashes not counted) still reads as the same word.
    const size_t letters = word.size() - std::min(word.size(), word.find_first_not_of('-'));
    const size_t allowed = std::max<size_t>(1, std::min<size_t>(3, letters / 3));
    return best_d > 0 && best_d <= allowed ? best : "";
}

}  // namespace lamina::cli
