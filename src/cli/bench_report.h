// lamina bench's results and their output formats (markdown, CSV, JSON, JSON lines), with
// llama-bench's field names so that scripts written for it read lamina's too.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace lamina::cli {

struct BenchResult {
    std::string model_filename, model_type, test_time;
    uint64_t model_size = 0, model_n_params = 0;
    int64_t n_batch = 0, n_threads = 0, n_prompt = 0, n_gen = 0, n_depth = 0;
    bool use_mmap = false;
    std::vector<uint64_t> samples_ns;  // one per repetition
    // lamina's own: weight throughput of the test, GOP/s for pp and GB/s of weights for tg.
    double gops = 0, gbps = 0;

    double avg_ns() const;
    double stddev_ns() const;
    std::vector<double> samples_ts() const;  // tokens per second of each repetition
    double avg_ts() const;
    double stddev_ts() const;
    std::string test_name() const;  // "pp512", "tg128", "pp512 @ d1024"
};

struct BenchBuild {
    std::string commit, cpu_info;
};

enum class BenchFormat { Markdown, Csv, Json, JsonLines };

// The whole report, on `out`.
void print_bench_report(FILE* out, BenchFormat format, const BenchBuild& build,
                        const std::vector<BenchResult>& results);

}  // namespace lamina::cli
