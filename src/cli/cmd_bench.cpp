// lamina bench: prompt-processing and generation throughput, in the manner of llama-bench.
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <thread>

#include "backend/cpu/cpu_backend.h"
#include "cli/bench_report.h"
#include "cli/build_info.h"
#include "cli/commands.h"
#include "cli/load_flags.h"
#include "cli/model_loading.h"
#include "cli/options.h"
#include "gguf/file_type.h"
#include "model/llama_model.h"
#include "runtime/session.h"

namespace lamina::cli {
namespace {

using Clock = std::chrono::steady_clock;

// Bytes of weights read for one generated token: every matrix, but only one row of the
// embedding table (unless the output projection shares it).
double streamed_bytes(const LlamaModel& m) {
    double bytes = (double)m.weight_bytes();
    if (m.output.data != m.tok_embd.data) bytes -= (double)m.tok_embd.nbytes;
    return bytes;
}

double elements(const Weight& w) {
    return (double)w.ne[0] * (double)w.ne[1];
}

// Operations per token (2 per multiply-add) through the weight matrices for a prompt of n
// tokens, counting what the forward pass computes: every layer for every position except the
// last layer's query, output and feed-forward matrices and the output matrix, which only the
// last position goes through.
double prompt_ops_per_token(const LlamaModel& m, int64_t n) {
    double all = 0, last_only = elements(m.output);
    for (size_t il = 0; il < m.layers.size(); ++il) {
        const LlamaLayer& l = m.layers[il];
        all += elements(l.wk) + elements(l.wv);
        const double rest = elements(l.wq) + elements(l.wo) + elements(l.ffn_gate) +
                            elements(l.ffn_up) + elements(l.ffn_down);
        if (il + 1 < m.layers.size())
            all += rest;
        else
            last_only += rest;
    }
    return 2.0 * (all + last_only / (double)n);
}

std::vector<int32_t> dummy_tokens(int64_t n, int64_t n_vocab, uint32_t seed) {
    std::vector<int32_t> t((size_t)n);
    uint32_t x = seed * 2654435761u + 12345u;
    for (auto& v : t) {
        x = x * 1664525u + 1013904223u;
        v = (int32_t)((x >> 8) % (uint32_t)n_vocab);
    }
    return t;
}

// llama-bench's model_type: architecture, size and file type ("llama 15M Q4_K - Medium").
std::string model_type(const LlamaModel& m) {
    const double params = (double)m.n_params();
    char size[32];
    if (params >= 1e9)
        std::snprintf(size, sizeof size, "%.0fB", params / 1e9);
    else
        std::snprintf(size, sizeof size, "%.0fM", params / 1e6);
    const std::string ft = file_type_of(m.gguf());
    return std::string("llama ") + size + " " + (ft.empty() ? type_name(m.main_type()) : ft);
}

std::string cpu_model_name() {
    std::ifstream f("/proc/cpuinfo");
    for (std::string line; std::getline(f, line);)
        if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos)
            return line.substr(line.find(':') + 2);
    return "";
}

std::string utc_now_iso8601() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

struct BenchOptions {
    std::vector<std::string> models;
    std::vector<int64_t> n_prompt = {512}, n_gen = {128}, depth = {0}, threads = {0};
    int64_t reps = 5;
    std::string format = "md";
    LoadFlags load;
};

}  // namespace

// Ranges keep the context sized from these (depth + tokens) far from overflowing.
constexpr int64_t kMaxTokens = int64_t(1) << 20;

int cmd_bench(int argc, char** argv) {
    BenchOptions o;
    std::vector<std::string> positional;
    CommandSpec spec{
        "bench",
        "-m MODEL.gguf [-m MODEL2.gguf ...] [options]",
        "Measures prompt processing (pp) and generation (tg) speed, each repeated after a "
        "warm-up.\n"
        "-p, -n, -d and -t take comma-separated lists (-p 16,32,64); every combination is run.\n"
        "The table goes to stdout; memory use per model to stderr.",
        {
            {"-m,--model", &o.models, "FILE", "model file (repeatable)"},
            {"-p,--n-prompt", &o.n_prompt, "N[,N...]", "prompt tokens for the pp tests; 0: skip", 0,
             kMaxTokens},
            {"-n,--n-gen", &o.n_gen, "N[,N...]", "generated tokens for the tg tests; 0: skip", 0,
             kMaxTokens},
            {"-d,--n-depth,--depth", &o.depth, "N[,N...]",
             "tokens already in the KV cache before each test", 0, kMaxTokens},
            {"-t,--threads", &o.threads, "N[,N...]", "threads (default 0: all cores)", 0, 1024},
            {"-r,--repetitions", &o.reps, "N", "repetitions of each test", 1, 1000},
            {"-o,--output", &o.format, "md|csv|json|jsonl",
             "output format (llama-bench's field names)"},
            {"-fa,--flash-attn",
             NotApplicable{
                 "lamina has a single attention path", false, {"0", "1", "on", "off", "auto"}}},
            {"--numa", NotApplicable{"lamina does no NUMA placement", true}},
        },
        Positionals{&positional, 0, 64}};
    std::ranges::move(o.load.options(), std::back_inserter(spec.options));
    if (auto exit = parse_command_line(spec, argc, argv)) return *exit;
    for (const std::string& pos : positional) o.models.push_back(pos);
    if (o.models.empty()) return fail("bench", "no model given (-m FILE)", 2);
    auto negative = [](const std::vector<int64_t>& v) {
        return std::ranges::any_of(v, [](int64_t x) { return x < 0; });
    };
    if (o.reps < 1 || negative(o.n_prompt) || negative(o.n_gen) || negative(o.depth) ||
        negative(o.threads))
        return fail("bench", "counts must not be negative (and -r at least 1)", 2);
    const BenchFormat format = o.format == "csv"     ? BenchFormat::Csv
                               : o.format == "json"  ? BenchFormat::Json
                               : o.format == "jsonl" ? BenchFormat::JsonLines
                                                     : BenchFormat::Markdown;
    for (int64_t& t : o.threads)
        if (t == 0) t = std::max(1u, std::thread::hardware_concurrency());

    // The tests in llama-bench's order: every pp size, then every tg size, at each depth.
    struct Test {
        bool pp;
        int64_t n, depth;
    };
    std::vector<Test> tests;
    for (int64_t d : o.depth) {
        for (int64_t n : o.n_prompt)
            if (n > 0) tests.push_back({true, n, d});
        for (int64_t n : o.n_gen)
            if (n > 0) tests.push_back({false, n, d});
    }

    std::vector<BenchResult> results;
    for (const std::string& path : o.models) {
        std::string resolved = path;
        auto loaded = load_model_or_report("bench", resolved, o.load.mode(), false);
        if (!loaded) return 1;
        LlamaModel& m = *loaded;
        o.load.lock(m, "bench");
        // The weights' layouts do not depend on the thread count: stored once, run by each
        // backend below (counted as load time, not as the first test's).
        CpuBackend layout_backend(1);
        if (Status s = m.store_weights(layout_backend); !s)
            return fail("bench", resolved + ": " + s.message());
        const int64_t n_vocab = m.hparams().n_vocab;
        size_t kv_bytes = 0, compute_bytes = 0;
        for (int64_t threads : o.threads) {
            CpuBackend backend((int)threads);
            for (const Test& test : tests) {
                const int64_t n_ctx = test.depth + test.n + 1;
                // The batch must also hold the depth fill's 512-token chunks: with -p 0 a batch
                // of one made the fill a token at a time.
                const int64_t n_batch = std::max<int64_t>(
                    {test.pp ? test.n : 1, std::min<int64_t>(test.depth, 512), 1});
                Session session(m, backend, n_ctx, n_batch);
                const std::vector<int32_t> fill = dummy_tokens(test.depth, n_vocab, 1);
                auto run_once = [&](int rep) -> uint64_t {
                    session.truncate(0);
                    for (int64_t i = 0; i < test.depth; i += 512) {
                        const size_t n = (size_t)std::min<int64_t>(512, test.depth - i);
                        (void)session.eval(std::span<const int32_t>(fill.data() + i, n));
                    }
                    const auto toks = dummy_tokens(test.n, n_vocab, 7 + (uint32_t)rep);
                    const auto t0 = Clock::now();
                    if (test.pp) {
                        (void)session.eval(toks);
                    } else {
                        for (int32_t t : toks) {
                            const int32_t one[1] = {t};
                            (void)session.eval(one);
                        }
                    }
                    return (uint64_t)std::chrono::duration_cast<std::chrono::nanoseconds>(
                               Clock::now() - t0)
                        .count();
                };
                BenchResult r;
                r.test_time = utc_now_iso8601();
                run_once(-1);  // warm-up
                for (int rep = 0; rep < o.reps; ++rep) r.samples_ns.push_back(run_once(rep));
                r.model_filename = resolved;
                r.model_type = model_type(m);
                r.model_size = m.weight_bytes();
                r.model_n_params = (uint64_t)m.n_params();
                r.n_batch = n_batch;
                r.n_threads = threads;
                r.use_mmap = m.gguf().mapped();
                (test.pp ? r.n_prompt : r.n_gen) = test.n;
                r.n_depth = test.depth;
                if (test.pp)
                    r.gops = r.avg_ts() * prompt_ops_per_token(m, test.n) / 1e9;
                else
                    r.gbps = r.avg_ts() * streamed_bytes(m) / 1e9;
                results.push_back(r);
                kv_bytes = std::max(kv_bytes, session.cache().bytes());
                compute_bytes =
                    std::max(compute_bytes, backend.arena_bytes() + backend.work_bytes());
            }
        }
        // Memory next to its parts (stderr, so the table on stdout stays clean): the weights
        // are mapped or read once, so resident memory should be about their sum.
        struct rusage ru {};
        getrusage(RUSAGE_SELF, &ru);
        const double mib = 1024.0 * 1024.0;
        std::fprintf(stderr,
                     "lamina bench: %s: weights %.0f MiB (%s), KV cache %.0f MiB, compute "
                     "buffers %.0f MiB; peak resident so far %.0f MiB\n",
                     resolved.c_str(), (double)m.weight_bytes() / mib,
                     m.gguf().mapped() ? "mapped" : "read into 2 MiB pages", (double)kv_bytes / mib,
                     (double)compute_bytes / mib, (double)ru.ru_maxrss * 1024.0 / mib);
    }
    std::string commit = LAMINA_GIT_COMMIT;
    print_bench_report(stdout, format, {commit, cpu_model_name()}, results);
    return 0;
}

}  // namespace lamina::cli
