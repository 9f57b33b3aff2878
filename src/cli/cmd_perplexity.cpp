// lamina perplexity: llama.cpp-style perplexity of a model over a text file, and KL divergence
// against a saved reference run.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "backend/cpu/cpu_backend.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/load_flags.h"
#include "cli/model_path.h"
#include "cli/progress.h"
#include "cli/text_file.h"
#include "model/llama_model.h"
#include "runtime/kl_base_file.h"
#include "runtime/perplexity.h"
#include "tokenizer/tokenizer.h"

namespace lamina::cli {

int cmd_perplexity(int argc, char** argv) {
    std::string model_path, text_path, kl_base_out, kl_base_in;
    int64_t n_ctx = 512, n_batch = 512, n_threads = 0;
    ArgParser p("perplexity", "[-m MODEL.gguf] -f TEXT [-c 512] [-b BATCH] [-t N]",
                "Perplexity over a text, by llama.cpp's method: non-overlapping windows of -c "
                "tokens, each starting with BOS, scored on their second half.");
    p.add_string("-m,--model", &model_path, "FILE", "model file (default: the bundled model)");
    p.add_string("-f,--file", &text_path, "FILE", "text to score");
    p.add_int("-c,--ctx-size", &n_ctx, "N", "window size in tokens (default 512)");
    p.add_int("-b,--batch-size", &n_batch, "N", "tokens per batch (default 512)");
    p.add_int("-t,--threads", &n_threads, "N", "threads (default: all cores)", 0, 1024);
    LoadFlags load;
    load.add_to(p);
    p.add_string("--kl-divergence-base", &kl_base_out, "PATH",
                 "save this run's logits to PATH (LKL1) as the base for --kl-divergence");
    p.add_string(
        "--kl-divergence", &kl_base_in, "PATH",
        "compare against the logits saved in PATH: mean KL divergence, top-token agreement");
    switch (p.parse(argc, argv)) {
        case ArgParser::Result::Help:
            return 0;
        case ArgParser::Result::Error:
            return 2;
        case ArgParser::Result::Ok:
            break;
    }
    if (!p.positional().empty()) {
        std::fprintf(stderr, "lamina perplexity: unexpected argument '%s'\n",
                     p.positional()[0].c_str());
        return 2;
    }
    if (text_path.empty()) {
        std::fprintf(stderr, "lamina perplexity: no text given (-f FILE)\n");
        return 2;
    }
    if (n_ctx < 4 || n_ctx > (1 << 20) || n_batch < 1) {
        std::fprintf(stderr, "lamina perplexity: -c must be in [4, 1048576] and -b positive\n");
        return 2;
    }
    std::string text;
    if (Status s = read_text_file(text_path, &text); !s) {
        std::fprintf(stderr, "lamina perplexity: %s\n", s.message().c_str());
        return 1;
    }

    if (model_path.empty()) model_path = default_model_path();
    if (model_path.empty()) {
        std::fprintf(stderr, "lamina perplexity: no model given (-m FILE) and no bundled model\n");
        return 2;
    }
    if (n_threads <= 0) n_threads = std::max(1u, std::thread::hardware_concurrency());
    std::unique_ptr<LlamaModel> model;
    {
        ProgressBar bar("loading " + model_path);
        auto loaded = LlamaModel::load(
            model_path, [&](size_t d, size_t t) { bar.update(d, t); }, load.mode());
        if (!loaded) {
            bar.finish();
            std::fprintf(stderr, "lamina perplexity: %s\n", loaded.error().c_str());
            return 1;
        }
        model = std::move(*loaded);
    }
    auto tok = Tokenizer::from_gguf(model->gguf());
    if (!tok) {
        std::fprintf(stderr, "lamina perplexity: %s\n", tok.error().c_str());
        return 1;
    }
    KlBaseFile base;
    if (!kl_base_in.empty()) {
        auto read = read_kl_base_file(kl_base_in);
        if (!read) {
            std::fprintf(stderr, "lamina perplexity: %s\n", read.error().c_str());
            return 1;
        }
        base = std::move(*read);
    }

    if (n_ctx > model->hparams().n_ctx_train) {
        std::fprintf(
            stderr,
            "lamina perplexity: warning: -c %lld exceeds the model's training context %lld\n",
            (long long)n_ctx, (long long)model->hparams().n_ctx_train);
    }
    // Tokenized once, with BOS as llama.cpp does; each window's first token becomes BOS.
    const std::vector<TokenId> tokens = (*tok)->encode(text, /*add_special=*/true, false);
    const int64_t n_windows = (int64_t)tokens.size() / n_ctx;
    std::fprintf(
        stderr, "lamina perplexity: %zu tokens, %lld windows of %lld, scoring %lld tokens each\n",
        tokens.size(), (long long)n_windows, (long long)n_ctx, (long long)(n_ctx - 1 - n_ctx / 2));

    CpuBackend backend((int)n_threads);
    PerplexityOptions opt;
    opt.n_ctx = n_ctx;
    opt.n_batch = n_batch;
    KlBaseFile saved;
    ProgressBar bar("perplexity");
    auto result = compute_perplexity(
        *model, backend, tokens, (*tok)->bos(), opt,
        [&](int64_t w, int64_t n, double ppl) {
            bar.update((size_t)w, (size_t)n);
            std::printf("[%lld]%.4f,", (long long)w, ppl);
            std::fflush(stdout);
        },
        kl_base_out.empty() ? nullptr : &saved, kl_base_in.empty() ? nullptr : &base);
    bar.finish();
    std::printf("\n");
    if (!result) {
        std::fprintf(stderr, "lamina perplexity: %s\n", result.error().c_str());
        return 1;
    }
    std::printf("Final estimate: PPL = %.4f +/- %.5f\n", result->ppl, result->ppl_uncertainty);
    if (!kl_base_in.empty()) {
        std::printf("Mean    KLD: %10.6f +/- %10.6f\n", result->kl_mean, result->kl_uncertainty);
        std::printf("Maximum KLD: %10.6f\n", result->kl_max);
        std::printf("Same top p: %6.3f %% of %lld positions\n", 100.0 * result->same_top,
                    (long long)result->n_scored);
    }
    if (!kl_base_out.empty()) {
        if (Status s = write_kl_base_file(kl_base_out, saved); !s) {
            std::fprintf(stderr, "lamina perplexity: %s\n", s.message().c_str());
            return 1;
        }
        std::fprintf(stderr, "lamina perplexity: saved the KL base to %s\n", kl_base_out.c_str());
    }
    return 0;
}

}  // namespace lamina::cli
