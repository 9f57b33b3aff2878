// lamina perplexity: llama.cpp-style perplexity of a model over a text file, and KL divergence
// against a saved reference run.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "backend/cpu/cpu_backend.h"
#include "cli/commands.h"
#include "cli/load_flags.h"
#include "cli/model_loading.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "cli/text_input.h"
#include "model/llama_model.h"
#include "runtime/kl_base_file.h"
#include "runtime/perplexity.h"
#include "tokenizer/tokenizer.h"

namespace lamina::cli {
namespace {

constexpr int64_t kDefaultWindow = 512;  // llama-perplexity's default -c

// "1:02:03", "2:03" or "5.1 s": how long the remaining windows should take.
std::string duration_text(double seconds) {
    char buf[32];
    const long s = (long)(seconds + 0.5);
    if (seconds < 60)
        std::snprintf(buf, sizeof buf, "%.1f s", seconds);
    else if (s < 3600)
        std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    return buf;
}

}  // namespace

int cmd_perplexity(int argc, char** argv) {
    std::string model_path, kl_base_out, kl_base_in;
    TextInput input;
    int64_t n_ctx = 0, n_batch = 512, n_threads = 0, n_chunks = -1;
    LoadFlags load;
    CommandSpec spec{
        "perplexity",
        "[-m MODEL.gguf] -f TEXT [-c 512] [--chunks N] [options]",
        "Perplexity over a text, by llama.cpp's method: non-overlapping windows of -c tokens, "
        "each\n"
        "starting with BOS, scored on their second half. Per-window estimates go to stdout, the\n"
        "time per window and the estimated time left to stderr.",
        {
            {"-m,--model", &model_path, "FILE",
             "model file (default: $LAMINA_MODEL, else the bundled model)"},
            {"-f,--file", &input.file, "FILE", "text to score (- for stdin)"},
            {"-c,--ctx-size", &n_ctx, "N",
             "window size in tokens (default: 512, or the model's training context when smaller)",
             0, int64_t(1) << 20},
            {"--chunks", &n_chunks, "N", "score only the first N windows (default -1: all)"},
            {"-b,--batch-size", &n_batch, "N", "tokens per batch", 1, int64_t(1) << 20},
            {"-t,--threads", &n_threads, "N", "threads (default: all cores)", 0, 1024},
            {"--kl-divergence-base", &kl_base_out, "PATH",
             "save this run's logits to PATH (LKL1) as the base for --kl-divergence"},
            {"--kl-divergence", &kl_base_in, "PATH",
             "compare against the logits saved in PATH: mean KL divergence, top-token agreement"},
        }};
    std::ranges::move(load.options(), std::back_inserter(spec.options));
    if (auto exit = parse_command_line(spec, argc, argv)) return *exit;
    if (input.file.empty()) return fail("perplexity", "no text given (-f FILE)", 2);
    if ((n_ctx != 0 && (n_ctx < 4 || n_ctx > (1 << 20))) || n_batch < 1)
        return fail("perplexity", "-c must be in [4, 1048576] and -b positive", 2);
    if (text_sources_conflict(input))
        return fail("perplexity", "give only one of -p, -f and --stdin", 2);
    auto text = read_text_input(input);
    if (!text) return fail("perplexity", text.error());

    if (n_threads <= 0) n_threads = std::max(1u, std::thread::hardware_concurrency());
    auto model = load_model_or_report("perplexity", model_path, load.mode());
    if (!model) return 1;
    load.lock(*model, "perplexity");
    auto tok = Tokenizer::from_gguf(model->gguf());
    if (!tok) return fail("perplexity", model_path + ": " + tok.error());
    KlBaseFile base;
    if (!kl_base_in.empty()) {
        auto read = read_kl_base_file(kl_base_in);
        if (!read) return fail("perplexity", read.error());
        base = std::move(*read);
    }

    const int64_t n_train = model->hparams().n_ctx_train;
    if (n_ctx == 0) n_ctx = n_train > 0 ? std::min(kDefaultWindow, n_train) : kDefaultWindow;
    if (n_ctx > n_train)
        std::fprintf(stderr,
                     "lamina perplexity: warning: -c %lld exceeds the model's training context "
                     "%lld\n",
                     (long long)n_ctx, (long long)n_train);
    // Tokenized once, with BOS as llama.cpp does; each window's first token becomes BOS.
    std::vector<TokenId> tokens = (*tok)->encode(*text, /*add_special=*/true, false);
    if (n_chunks >= 0 && (int64_t)tokens.size() > n_chunks * n_ctx)
        tokens.resize((size_t)(n_chunks * n_ctx));
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
    const bool stdout_on_terminal = ::isatty(STDOUT_FILENO) != 0;
    const auto t0 = std::chrono::steady_clock::now();
    auto result = compute_perplexity(
        *model, backend, tokens, (*tok)->bos(), opt,
        [&](int64_t w, int64_t n, double ppl) {
            const double elapsed =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            const double eta = elapsed / (double)w * (double)(n - w);
            // As llama-perplexity: the pace once, after the first window; then on a terminal the
            // bar carries the time left.
            if (w == 1)
                std::fprintf(stderr, "lamina perplexity: %.2f s per window, ETA %s\n", elapsed,
                             duration_text(eta).c_str());
            // The bar redraws its line: on the terminal that shows the estimates it would erase
            // them, so it is drawn only when stdout goes elsewhere.
            if (!stdout_on_terminal) {
                bar.set_label("perplexity (ETA " + duration_text(eta) + ")");
                bar.update((size_t)w, (size_t)n);
            }
            std::printf("[%lld]%.4f,", (long long)w, ppl);
            std::fflush(stdout);
        },
        kl_base_out.empty() ? nullptr : &saved, kl_base_in.empty() ? nullptr : &base);
    bar.finish();
    std::printf("\n");
    if (!result) return fail("perplexity", result.error());
    std::printf("Final estimate: PPL = %.4f +/- %.5f\n", result->ppl, result->ppl_uncertainty);
    if (!kl_base_in.empty()) {
        std::printf("Mean    KLD: %10.6f +/- %10.6f\n", result->kl_mean, result->kl_uncertainty);
        std::printf("Maximum KLD: %10.6f\n", result->kl_max);
        std::printf("Same top p: %6.3f %% of %lld positions\n", 100.0 * result->same_top,
                    (long long)result->n_scored);
    }
    if (!kl_base_out.empty()) {
        if (Status s = write_kl_base_file(kl_base_out, saved); !s)
            return fail("perplexity", s.message());
        std::fprintf(stderr, "lamina perplexity: saved the KL base to %s\n", kl_base_out.c_str());
    }
    return 0;
}

}  // namespace lamina::cli
