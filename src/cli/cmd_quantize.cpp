// lamina quantize: converts a GGUF model's weights to a quantized type or mix.
#include <chrono>
#include <cstdio>
#include <thread>

#include "cli/args.h"
#include "cli/commands.h"
#include "quant/quantize_model.h"

namespace lamina::cli {

int cmd_quantize(int argc, char** argv) {
    int64_t threads = 0;
    ArgParser p(
        "quantize", "IN.gguf OUT.gguf TYPE [--threads N]",
        "Writes a copy of a model with its weight matrices quantized. TYPE is one of:\n" +
            quant_target_help() +
            "Norms stay F32. Rows whose length does not fit a 256-element block fall back to a\n"
            "32-element type of similar size. OUT is written through OUT.tmp and renamed only on\n"
            "success: a failed or interrupted run leaves no OUT.");
    p.add_int("-t,--threads", &threads, "N", "threads (default: all cores)", 0, 1024);
    switch (p.parse(argc, argv)) {
        case ArgParser::Result::Help:
            return 0;
        case ArgParser::Result::Error:
            return 2;
        case ArgParser::Result::Ok:
            break;
    }
    if (p.positional().size() != 3) {
        std::fprintf(stderr, "lamina quantize: expected IN.gguf OUT.gguf TYPE (see --help)\n");
        return 2;
    }
    const std::string& in = p.positional()[0];
    const std::string& out = p.positional()[1];
    auto target = find_quant_target(p.positional()[2]);
    if (!target) {
        std::fprintf(stderr, "lamina quantize: %s\n", target.error().c_str());
        return 2;
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
    if (!s) {
        std::fprintf(stderr, "lamina quantize: %s\n", s.message().c_str());
        return 1;
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr, "lamina quantize: %s -> %s (%s): %.2f MiB -> %.2f MiB in %.1f s\n",
                 in.c_str(), out.c_str(), target->name.c_str(), rep.bytes_in / 1048576.0,
                 rep.bytes_out / 1048576.0, secs);
    return 0;
}

}  // namespace lamina::cli
