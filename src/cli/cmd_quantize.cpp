// lamina quantize: converts a GGUF model's weights to a quantized type or mix.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "cli/commands.h"
#include "cli/model_loading.h"
#include "cli/options.h"
#include "tools/quantize_model.h"

namespace lamina::cli {
namespace {

bool parse_thread_count(const std::string& s, int64_t* out) {
    char* end = nullptr;
    const long v = std::strtol(s.c_str(), &end, 10);
    if (s.empty() || *end || v < 0) return false;
    *out = v;
    return true;
}

}  // namespace

int cmd_quantize(int argc, char** argv) {
    int64_t threads = 0;
    std::vector<std::string> args;
    const CommandSpec spec{
        "quantize",
        "IN.gguf OUT.gguf TYPE [NTHREADS] [--threads N]",
        "Writes a copy of a model with its weight matrices quantized. TYPE is one of:\n" +
            quant_target_help() +
            "Norms stay F32. Rows whose length does not fit a 256-element block fall back to a\n"
            "32-element type of similar size. OUT is written through OUT.tmp and renamed only on\n"
            "success: a failed or interrupted run leaves no OUT.",
        {{"-t,--threads", &threads, "N", "threads (default: all cores)", 0, 1024}},
        Positionals{&args, 3, 4}};
    if (auto exit = parse_command_line(spec, argc, argv)) return *exit;
    // llama-quantize takes the thread count as a fourth argument.
    if (args.size() == 4 && !parse_thread_count(args[3], &threads))
        return fail("quantize", "NTHREADS must be a number, not '" + args[3] + "'", 2);
    const std::string& in = args[0];
    const std::string& out = args[1];
    auto target = find_quant_target(args[2]);
    if (!target) {
        const std::string near = nearest(args[2], quant_target_names());
        return fail("quantize",
                    target.error() + (near.empty() ? "" : "; did you mean '" + near + "'?"), 2);
    }
    if (threads <= 0) threads = std::max(1u, std::thread::hardware_concurrency());
    const auto t0 = std::chrono::steady_clock::now();
    QuantizeReport rep;
    Status s = quantize_model(
        in, out, *target, (int)threads,
        [](const QuantizeProgress& q) {
            std::fprintf(stderr, "[%4zu/%4zu] %-32s %-6s -> %-6s %9.2f MiB -> %9.2f MiB\n", q.index,
                         q.total, q.name.c_str(), type_name(q.from), type_name(q.to),
                         q.bytes_in / 1048576.0, q.bytes_out / 1048576.0);
        },
        &rep);
    if (!s) return fail("quantize", s.message());
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr, "lamina quantize: %s -> %s (%s): %.2f MiB -> %.2f MiB in %.1f s\n",
                 in.c_str(), out.c_str(), target->name.c_str(), rep.bytes_in / 1048576.0,
                 rep.bytes_out / 1048576.0, secs);
    return 0;
}

}  // namespace lamina::cli
