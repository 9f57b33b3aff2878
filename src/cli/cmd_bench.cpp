// lamina bench: prompt-processing and generation throughput, in the manner of llama-bench.
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

#include "backend/cpu/cpu_backend.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/load_flags.h"
#include "model/llama_model.h"
#include "runtime/session.h"

namespace lamina::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct Stats {
    double mean = 0, sd = 0;
};

Stats stats(const std::vector<double>& v) {
    Stats s;
    for (double x : v) s.mean += x;
    s.mean /= (double)v.size();
    for (double x : v) s.sd += (x - s.mean) * (x - s.mean);
    s.sd = v.size() > 1 ? std::sqrt(s.sd / (double)(v.size() - 1)) : 0.0;
    return s;
}

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

struct Result {
    std::string model, type, test;
    double size_gib, params_b;
    int threads;
    Stats tps;
    double rate;                 // GB/s for tg, GOP/s for pp
    double bytes_per_token = 0;  // weight bytes read per generated token
};

// Small models (the bundled one is a few MiB) would print as 0.00 GiB / 0.00 B: below one large
// unit, the value goes in the small one (`per` small units to a large one).
std::string with_unit(double large, const char* large_unit, const char* small_unit, double per) {
    char buf[32];
    if (large >= 1.0)
        std::snprintf(buf, sizeof buf, "%.2f %s", large, large_unit);
    else
        std::snprintf(buf, sizeof buf, "%.2f %s", large * per, small_unit);
    return buf;
}

}  // namespace

int cmd_bench(int argc, char** argv) {
    std::vector<std::string> models;
    int64_t n_prompt = 512, n_gen = 128, reps = 5, depth = 0, threads = 0;
    std::string format = "md";
    ArgParser p("bench", "-m MODEL.gguf [-m MODEL2.gguf ...] [options]",
                "Measures prompt processing (pp) and generation (tg) speed, each repeated after a "
                "warm-up.");
    p.add_strings("-m,--model", &models, "FILE", "model file (repeatable)");
    // Ranges keep the context sized from these (depth + tokens) far from overflowing.
    constexpr int64_t kMaxTokens = int64_t(1) << 20;
    p.add_int("-p,--n-prompt", &n_prompt, "N",
              "prompt tokens for the pp test (default 512; 0: skip)", 0, kMaxTokens);
    p.add_int("-n,--n-gen", &n_gen, "N", "generated tokens for the tg test (default 128; 0: skip)",
              0, kMaxTokens);
    p.add_int("-r,--repetitions", &reps, "N", "repetitions of each test (default 5)", 1, 1000);
    p.add_int("-d,--depth", &depth, "N",
              "tokens already in the KV cache before each test (default 0)", 0, kMaxTokens);
    p.add_int("-t,--threads", &threads, "N", "threads (default: all cores)", 0, 1024);
    LoadFlags load;
    load.add_to(p);
    p.add_string("-o,--output", &format, "md|json|csv", "output format (default md)");
    switch (p.parse(argc, argv)) {
        case ArgParser::Result::Help:
            return 0;
        case ArgParser::Result::Error:
            return 2;
        case ArgParser::Result::Ok:
            break;
    }
    for (const std::string& pos : p.positional()) models.push_back(pos);
    if (models.empty()) {
        std::fprintf(stderr, "lamina bench: no model given (-m FILE)\n");
        return 2;
    }
    if (format != "md" && format != "json" && format != "csv") {
        std::fprintf(stderr, "lamina bench: unknown output format '%s'\n", format.c_str());
        return 2;
    }
    if (reps < 1 || n_prompt < 0 || n_gen < 0 || depth < 0) {
        std::fprintf(stderr, "lamina bench: counts must be positive\n");
        return 2;
    }
    if (threads <= 0) threads = std::max(1u, std::thread::hardware_concurrency());

    std::vector<Result> results;
    for (const std::string& path : models) {
        auto loaded = LlamaModel::load(path, nullptr, load.mode());
        if (!loaded) {
            std::fprintf(stderr, "lamina bench: %s\n", loaded.error().c_str());
            return 1;
        }
        const LlamaModel& m = **loaded;
        const int64_t n_vocab = m.hparams().n_vocab;
        CpuBackend backend((int)threads);
        const int64_t n_ctx = depth + std::max(n_prompt, n_gen) + 1;
        // The batch must also hold the depth fill's 512-token chunks: with -p 0 a batch of one
        // made the fill a token at a time.
        Session session(m, backend, n_ctx,
                        std::max<int64_t>({n_prompt, std::min<int64_t>(depth, 512), 1}));
        const std::vector<int32_t> fill = dummy_tokens(depth, n_vocab, 1);
        auto run_once = [&](bool pp, int rep) -> double {
            session.truncate(0);
            for (int64_t i = 0; i < depth; i += 512) {
                const size_t n = (size_t)std::min<int64_t>(512, depth - i);
                (void)session.eval(std::span<const int32_t>(fill.data() + i, n));
            }
            const auto toks = dummy_tokens(pp ? n_prompt : n_gen, n_vocab, 7 + (uint32_t)rep);
            const auto t0 = Clock::now();
            if (pp) {
                (void)session.eval(toks);
            } else {
                for (int32_t t : toks) {
                    const int32_t one[1] = {t};
                    (void)session.eval(one);
                }
            }
            const double s = std::chrono::duration<double>(Clock::now() - t0).count();
            return (double)toks.size() / s;
        };
        for (int pass = 0; pass < 2; ++pass) {
            const bool pp = pass == 0;
            const int64_t n = pp ? n_prompt : n_gen;
            if (n == 0) continue;
            run_once(pp, -1);  // warm-up
            std::vector<double> tps;
            for (int r = 0; r < reps; ++r) tps.push_back(run_once(pp, r));
            Result res;
            res.model = m.name().empty() ? path : m.name();
            res.type = type_name(m.main_type());
            res.test = (pp ? "pp" : "tg") + std::to_string(n) +
                       (depth ? " @ d" + std::to_string(depth) : "");
            res.size_gib = (double)m.weight_bytes() / (1024.0 * 1024 * 1024);
            res.params_b = (double)m.n_params() / 1e9;
            res.threads = (int)threads;
            res.tps = stats(tps);
            res.bytes_per_token = streamed_bytes(m);
            res.rate = pp ? res.tps.mean * prompt_ops_per_token(m, n) / 1e9
                          : res.tps.mean * streamed_bytes(m) / 1e9;
            results.push_back(res);
        }
        // Memory next to its parts (stderr, so the table on stdout stays clean): the weights
        // are mapped or read once, so resident memory should be about their sum.
        struct rusage ru {};
        getrusage(RUSAGE_SELF, &ru);
        const double mib = 1024.0 * 1024.0;
        std::fprintf(stderr,
                     "lamina bench: %s: weights %.0f MiB (%s), KV cache %.0f MiB, compute "
                     "buffers %.0f MiB; peak resident so far %.0f MiB\n",
                     path.c_str(), (double)m.weight_bytes() / mib,
                     m.gguf().mapped() ? "mapped" : "read into 2 MiB pages",
                     (double)session.cache().bytes() / mib,
                     (double)(backend.arena_bytes() + backend.work_bytes()) / mib,
                     (double)ru.ru_maxrss * 1024.0 / mib);
    }

    if (format == "md") {
        std::printf("| model | size | params | type | threads | test | t/s | rate |\n");
        std::printf("| --- | ---: | ---: | --- | ---: | --- | ---: | ---: |\n");
        for (const Result& r : results)
            std::printf("| %s | %s | %s | %s | %d | %s | %.2f ± %.2f | %.1f %s |\n",
                        r.model.c_str(), with_unit(r.size_gib, "GiB", "MiB", 1024.0).c_str(),
                        with_unit(r.params_b, "B", "M", 1000.0).c_str(), r.type.c_str(), r.threads,
                        r.test.c_str(), r.tps.mean, r.tps.sd, r.rate,
                        r.test.rfind("pp", 0) == 0 ? "GOP/s" : "GB/s");
    } else if (format == "csv") {
        std::printf(
            "model,size_bytes,params,type,threads,test,tps_mean,tps_sd,rate,streamed_bytes\n");
        for (const Result& r : results)
            std::printf("%s,%.0f,%.0f,%s,%d,%s,%.4f,%.4f,%.3f,%.0f\n", r.model.c_str(),
                        r.size_gib * 1073741824.0, r.params_b * 1e9, r.type.c_str(), r.threads,
                        r.test.c_str(), r.tps.mean, r.tps.sd, r.rate, r.bytes_per_token);
    } else {
        std::printf("[\n");
        for (size_t i = 0; i < results.size(); ++i) {
            const Result& r = results[i];
            std::printf(
                "  {\"model\": \"%s\", \"size_bytes\": %.0f, \"params\": %.0f, \"type\": \"%s\", "
                "\"threads\": %d, "
                "\"test\": \"%s\", \"tps_mean\": %.4f, \"tps_sd\": %.4f, \"%s\": %.3f}%s\n",
                r.model.c_str(), r.size_gib * 1073741824.0, r.params_b * 1e9, r.type.c_str(),
                r.threads, r.test.c_str(), r.tps.mean, r.tps.sd,
                r.test.rfind("pp", 0) == 0 ? "gops" : "gbps", r.rate,
                i + 1 < results.size() ? "," : "");
        }
        std::printf("]\n");
    }
    return 0;
}

}  // namespace lamina::cli
