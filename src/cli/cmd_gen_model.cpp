// lamina gen-model: writes a Llama-architecture GGUF with random weights of a named shape.
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <unistd.h>

#include "cli/commands.h"
#include "core/types.h"
#include "tools/model_gen.h"

namespace lamina::cli {
namespace {

void print_gen_model_help(FILE* out) {
    std::fprintf(out,
                 "usage: lamina gen-model --shape NAME [--type f16|f32|bf16] [--seed N]\n"
                 "                        [--vocab VOCAB.gguf] -o OUT.gguf\n\n"
                 "Writes a llama-architecture GGUF with random weights (for tests and benchmarks;\n"
                 "its text is noise).\n\n"
                 "  --shape NAME   model size, one of:\n");
    for (const ModelShape& s : named_model_shapes()) {
        std::fprintf(out,
                     "                   %-10s dim %lld, %lld blocks, %lld/%lld heads, ffn %lld, "
                     "vocab %lld, ctx %lld (%.1fM weights)\n",
                     s.name.c_str(), (long long)s.dim, (long long)s.n_layers, (long long)s.n_heads,
                     (long long)s.n_kv_heads, (long long)s.ffn_dim, (long long)s.vocab_size,
                     (long long)s.context_length, s.n_params() / 1e6);
    }
    std::fprintf(out,
                 "  --type T       weight type: f16 (default), f32 or bf16; norms are always f32\n"
                 "  --seed N       random seed (default 1); same seed, same file\n"
                 "  --vocab FILE   copy the tokenizer from this vocabulary GGUF (its token count\n"
                 "                 must match the shape); default: a synthesized SentencePiece\n"
                 "                 vocabulary\n"
                 "  -o FILE        output path (written to FILE.tmp, then renamed)\n");
}

bool parse_u64(const char* s, uint64_t& out) {
    if (!s || !*s || *s == '-') return false;
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(s, &end, 0);
    if (errno != 0 || *end != '\0') return false;
    out = v;
    return true;
}

}  // namespace

int cmd_gen_model(int argc, char** argv) {
    std::string shape_name, out_path, vocab_path;
    std::string type_arg = "f16";
    uint64_t seed = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool has_value = i + 1 < argc;
        if (a == "-h" || a == "--help") {
            print_gen_model_help(stdout);
            return 0;
        } else if ((a == "--shape" || a == "--type" || a == "--seed" || a == "--vocab" ||
                    a == "-o" || a == "--output") &&
                   !has_value) {
            std::fprintf(stderr, "gen-model: %s needs a value\n", a.c_str());
            return 2;
        } else if (a == "--shape") {
            shape_name = argv[++i];
        } else if (a == "--type") {
            type_arg = argv[++i];
        } else if (a == "--seed") {
            if (!parse_u64(argv[++i], seed)) {
                std::fprintf(stderr, "gen-model: --seed wants a non-negative integer, not '%s'\n",
                             argv[i]);
                return 2;
            }
        } else if (a == "--vocab") {
            vocab_path = argv[++i];
        } else if (a == "-o" || a == "--output") {
            out_path = argv[++i];
        } else {
            std::fprintf(stderr, "gen-model: unknown argument '%s' (see --help)\n", a.c_str());
            return 2;
        }
    }
    if (shape_name.empty() || out_path.empty()) {
        std::fprintf(stderr, "gen-model: --shape and -o are required (see --help)\n");
        return 2;
    }
    Expected<ModelShape> shape = find_model_shape(shape_name);
    if (!shape) {
        std::fprintf(stderr, "gen-model: %s\n", shape.error().c_str());
        return 2;
    }
    const TypeInfo* tt = find_type_by_name(type_arg);
    if (!tt || (tt->type != DType::F16 && tt->type != DType::F32 && tt->type != DType::BF16)) {
        std::fprintf(stderr, "gen-model: --type must be f16, f32 or bf16, not '%s'\n",
                     type_arg.c_str());
        return 2;
    }

    const auto start = std::chrono::steady_clock::now();
    // A live counter on a terminal; in logs (the build generates the tiny model) only the summary.
    const bool live = ::isatty(::fileno(stderr));
    auto progress = [](size_t done, size_t total, const std::string& name) {
        std::fprintf(stderr, "\rgen-model: [%zu/%zu] %-40s", done, total, name.c_str());
        std::fflush(stderr);
    };
    Status st = write_random_llama(out_path, *shape, tt->type, seed,
                                   live ? ModelGenProgress(progress) : nullptr, vocab_path);
    if (live) std::fprintf(stderr, "\n");
    if (!st) {
        std::fprintf(stderr, "gen-model: %s\n", st.message().c_str());
        return 1;
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "gen-model: wrote %s (%s, %s, %.1fM weights) in %.1f s\n",
                 out_path.c_str(), shape->name.c_str(), tt->name, shape->n_params() / 1e6, secs);
    return 0;
}

}  // namespace lamina::cli
