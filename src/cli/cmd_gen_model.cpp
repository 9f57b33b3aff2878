// lamina gen-model: writes a Llama-architecture GGUF with random weights of a named shape.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "cli/model_loading.h"
#include "cli/options.h"
#include "core/types.h"
#include "tools/model_gen.h"

namespace lamina::cli {
namespace {

std::string shapes_help() {
    std::string out = "Shapes:\n";
    char line[256];
    for (const ModelShape& s : named_model_shapes()) {
        std::snprintf(line, sizeof line,
                      "  %-10s dim %lld, %lld blocks, %lld/%lld heads, ffn %lld, vocab %lld, ctx "
                      "%lld (%.1fM weights)\n",
                      s.name.c_str(), (long long)s.dim, (long long)s.n_layers, (long long)s.n_heads,
                      (long long)s.n_kv_heads, (long long)s.ffn_dim, (long long)s.vocab_size,
                      (long long)s.context_length, s.n_params() / 1e6);
        out += line;
    }
    return out;
}

}  // namespace

int cmd_gen_model(int argc, char** argv) {
    std::string shape_name, out_path, vocab_path, type_arg = "f16";
    int64_t seed = 1;
    const CommandSpec spec{
        "gen-model",
        "--shape NAME [--type f16|f32|bf16] [--seed N] [--vocab VOCAB.gguf] -o OUT.gguf",
        "Writes a llama-architecture GGUF with random weights (for tests and benchmarks; its text\n"
        "is noise). " +
            shapes_help(),
        {
            {"--shape", &shape_name, "NAME", "model size, one of the shapes above"},
            {"--type", &type_arg, "f16|f32|bf16", "weight type; norms are always f32"},
            {"-s,--seed", &seed, "N", "random seed; same seed, same file"},
            {"--vocab", &vocab_path, "FILE",
             "copy the tokenizer from this vocabulary GGUF (its token count must match the "
             "shape; default: a synthesized SentencePiece vocabulary)"},
            {"-o,--output", &out_path, "FILE", "output path (written to FILE.tmp, then renamed)"},
        }};
    if (auto exit = parse_command_line(spec, argc, argv)) return *exit;
    if (shape_name.empty() || out_path.empty())
        return fail("gen-model", "--shape and -o are required (see --help)", 2);
    if (seed < 0) return fail("gen-model", "--seed must not be negative", 2);
    Expected<ModelShape> shape = find_model_shape(shape_name);
    if (!shape) return fail("gen-model", shape.error(), 2);
    const TypeInfo* tt = find_type_by_name(type_arg);

    const auto start = std::chrono::steady_clock::now();
    // A live counter on a terminal; in logs (the build generates the tiny model) only the summary.
    const bool live = ::isatty(::fileno(stderr));
    auto progress = [](size_t done, size_t total, const std::string& name) {
        std::fprintf(stderr, "\rlamina gen-model: [%zu/%zu] %-40s", done, total, name.c_str());
        std::fflush(stderr);
    };
    Status st = write_random_llama(out_path, *shape, tt->type, (uint64_t)seed,
                                   live ? ModelGenProgress(progress) : nullptr, vocab_path);
    if (live) std::fprintf(stderr, "\n");
    if (!st) return fail("gen-model", st.message());
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "lamina gen-model: wrote %s (%s, %s, %.1fM weights) in %.1f s\n",
                 out_path.c_str(), shape->name.c_str(), tt->name, shape->n_params() / 1e6, secs);
    return 0;
}

}  // namespace lamina::cli
