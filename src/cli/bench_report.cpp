// Formatting lamina bench's results: a padded markdown table, or llama-bench's CSV/JSON fields.
#include "cli/bench_report.h"

#include <cmath>
#include <numeric>

namespace lamina::cli {
namespace {

double mean(const std::vector<double>& v) {
    return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / (double)v.size();
}

// The sample standard deviation (Bessel's correction, as llama-bench).
double stddev(const std::vector<double>& v) {
    if (v.size() < 2) return 0.0;
    const double m = mean(v);
    double s = 0;
    for (double x : v) s += (x - m) * (x - m);
    return std::sqrt(s / (double)(v.size() - 1));
}

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

// Small models (the bundled one is a few MiB) would print as 0.00 GiB / 0.00 B: below one large
// unit, the value goes in the small one (`per` small units to a large one).
std::string with_unit(double large, const char* large_unit, const char* small_unit, double per) {
    return large >= 1.0 ? fmt("%.2f ", large) + large_unit : fmt("%.2f ", large * per) + small_unit;
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if ((unsigned char)c < 0x20) {
            char b[8];
            std::snprintf(b, sizeof b, "\\u%04x", (unsigned)(unsigned char)c);
            out += b;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

// Strings quoted, inner quotes doubled (RFC 4180), as llama-bench writes them.
std::string csv_string(const std::string& s) {
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

template <typename T>
std::string join(const std::vector<T>& v, const char* f) {
    std::string out = "[";
    for (size_t i = 0; i < v.size(); ++i) out.append(i ? ", " : "").append(fmt(f, (double)v[i]));
    return out + "]";
}

// llama-bench's fields, in its order, with lamina's two rates last. `quote` marks strings.
struct Field {
    const char* name;
    std::string value;
    bool quote;
};

std::vector<Field> fields(const BenchBuild& b, const BenchResult& r) {
    return {
        {"build_commit", b.commit, true},
        {"build_number", "0", false},
        {"cpu_info", b.cpu_info, true},
        {"gpu_info", "", true},
        {"backends", "CPU", true},
        {"model_filename", r.model_filename, true},
        {"model_type", r.model_type, true},
        {"model_size", std::to_string(r.model_size), false},
        {"model_n_params", std::to_string(r.model_n_params), false},
        {"n_batch", std::to_string(r.n_batch), false},
        {"n_ubatch", std::to_string(r.n_batch), false},
        {"n_threads", std::to_string(r.n_threads), false},
        {"n_gpu_layers", "0", false},
        {"use_mmap", r.use_mmap ? "true" : "false", false},
        {"n_prompt", std::to_string(r.n_prompt), false},
        {"n_gen", std::to_string(r.n_gen), false},
        {"n_depth", std::to_string(r.n_depth), false},
        {"test_time", r.test_time, true},
        {"avg_ns", fmt("%.0f", r.avg_ns()), false},
        {"stddev_ns", fmt("%.0f", r.stddev_ns()), false},
        {"avg_ts", fmt("%.6f", r.avg_ts()), false},
        {"stddev_ts", fmt("%.6f", r.stddev_ts()), false},
        {"gops", fmt("%.3f", r.gops), false},
        {"gbps", fmt("%.3f", r.gbps), false},
    };
}

std::string json_object(const BenchBuild& b, const BenchResult& r, const char* sep) {
    std::string out = "{";
    for (const Field& f : fields(b, r))
        out += std::string(out.size() > 1 ? "," : "") + sep + "\"" + f.name +
               "\": " + (f.quote ? json_string(f.value) : f.value);
    out += std::string(",") + sep + "\"samples_ns\": " + join(r.samples_ns, "%.0f");
    out += std::string(",") + sep + "\"samples_ts\": " + join(r.samples_ts(), "%.6f");
    return out + (sep[0] == '\n' ? "\n  }" : " }");
}

void print_markdown(FILE* out, const std::vector<BenchResult>& results) {
    const std::vector<std::string> head = {"model", "size", "params", "backend", "threads",
                                           "test",  "t/s",  "GOP/s",  "GB/s"};
    const std::vector<bool> right = {false, true, true, false, true, true, true, true, true};
    std::vector<std::vector<std::string>> rows;
    for (const BenchResult& r : results) {
        const bool pp = r.n_prompt > 0;
        rows.push_back({r.model_type,
                        with_unit((double)r.model_size / 1073741824.0, "GiB", "MiB", 1024.0),
                        with_unit((double)r.model_n_params / 1e9, "B", "M", 1000.0), "CPU",
                        std::to_string(r.n_threads), r.test_name(),
                        fmt("%.2f", r.avg_ts()) + " ± " + fmt("%.2f", r.stddev_ts()),
                        pp ? fmt("%.1f", r.gops) : "", pp ? "" : fmt("%.1f", r.gbps)});
    }
    // Widths in characters as a terminal shows them: "±" is two bytes but one column.
    auto width = [](const std::string& s) {
        size_t n = 0;
        for (unsigned char c : s) n += (c & 0xC0) != 0x80;
        return n;
    };
    std::vector<size_t> w(head.size());
    for (size_t c = 0; c < head.size(); ++c) {
        w[c] = width(head[c]);
        for (const auto& row : rows) w[c] = std::max(w[c], width(row[c]));
    }
    auto line = [&](const std::vector<std::string>& cells) {
        std::string s = "|";
        for (size_t c = 0; c < cells.size(); ++c) {
            const std::string pad(w[c] - width(cells[c]), ' ');
            s.append(" ").append(right[c] ? pad : "").append(cells[c]);
            s.append(right[c] ? "" : pad).append(" |");
        }
        std::fprintf(out, "%s\n", s.c_str());
    };
    line(head);
    std::string rule = "|";
    for (size_t c = 0; c < head.size(); ++c)
        rule.append(" ")
            .append(w[c] - (right[c] ? 1 : 0), '-')
            .append(right[c] ? ":" : "")
            .append(" |");
    std::fprintf(out, "%s\n", rule.c_str());
    for (const auto& row : rows) line(row);
}

}  // namespace

double BenchResult::avg_ns() const {
    return mean(std::vector<double>(samples_ns.begin(), samples_ns.end()));
}
double BenchResult::stddev_ns() const {
    return stddev(std::vector<double>(samples_ns.begin(), samples_ns.end()));
}
std::vector<double> BenchResult::samples_ts() const {
    std::vector<double> ts;
    const double n = (double)(n_prompt + n_gen);
    for (uint64_t ns : samples_ns) ts.push_back(n * 1e9 / (double)std::max<uint64_t>(ns, 1));
    return ts;
}
double BenchResult::avg_ts() const {
    return mean(samples_ts());
}
double BenchResult::stddev_ts() const {
    return stddev(samples_ts());
}
std::string BenchResult::test_name() const {
    std::string t = n_prompt > 0 ? "pp" + std::to_string(n_prompt) : "tg" + std::to_string(n_gen);
    return n_depth ? t + " @ d" + std::to_string(n_depth) : t;
}

void print_bench_report(FILE* out, BenchFormat format, const BenchBuild& build,
                        const std::vector<BenchResult>& results) {
    switch (format) {
        case BenchFormat::Markdown:
            print_markdown(out, results);
            break;
        case BenchFormat::Csv: {
            const BenchResult none;
            std::string head;
            for (const Field& f : fields(build, none))
                head.append(head.empty() ? "" : ",").append(f.name);
            std::fprintf(out, "%s\n", head.c_str());
            for (const BenchResult& r : results) {
                std::string row;
                for (const Field& f : fields(build, r))
                    row.append(row.empty() ? "" : ",")
                        .append(f.quote ? csv_string(f.value) : f.value);
                std::fprintf(out, "%s\n", row.c_str());
            }
            break;
        }
        case BenchFormat::Json:
            std::fprintf(out, "[\n");
            for (size_t i = 0; i < results.size(); ++i)
                std::fprintf(out, "  %s%s\n", json_object(build, results[i], "\n    ").c_str(),
                             i + 1 < results.size() ? "," : "");
            std::fprintf(out, "]\n");
            break;
        case BenchFormat::JsonLines:
            for (const BenchResult& r : results)
                std::fprintf(out, "%s\n", json_object(build, r, " ").c_str());
            break;
    }
}

}  // namespace lamina::cli
