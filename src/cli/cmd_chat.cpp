// lamina chat: an interactive conversation with a model, through its chat template.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include "backend/cpu/cpu_backend.h"
#include "cli/args.h"
#include "cli/chat_loop.h"
#include "cli/chat_template_setup.h"
#include "cli/commands.h"
#include "cli/line_reader.h"
#include "cli/load_flags.h"
#include "cli/model_path.h"
#include "cli/progress.h"
#include "model/llama_model.h"
#include "runtime/chat_session.h"
#include "tokenizer/tokenizer.h"

namespace lamina::cli {
namespace {

// Set by SIGINT (Ctrl-C): the reply in progress stops, the chat goes on. The one piece of
// global state, since a signal handler has no other way to reach the loop.
std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_sigint(int) {
    g_interrupted.store(true);
}

}  // namespace

int cmd_chat(int argc, char** argv) {
    ChatOptions o;
    ArgParser p("chat", "[-m MODEL.gguf] [-sys TEXT] [options]",
                "Talks with a model through its chat template. On a terminal: line editing, "
                "history and /help; piped, each input line is a message and each reply ends with a "
                "newline.");
    p.add_string("-m,--model", &o.model, "FILE", "model file (default: the bundled model)");
    p.add_string("-sys,--system-prompt", &o.system, "TEXT", "system prompt");
    p.add_string("--system-file", &o.system_file, "FILE", "read the system prompt from a file");
    p.add_string("--chat-template", &o.chat_template, "NAME",
                 "use a built-in template (chatml, llama3, ...) instead of the model's");
    p.add_string("--chat-template-file", &o.chat_template_file, "FILE",
                 "use the Jinja template in FILE instead of the model's");
    p.add_int("-c,--ctx-size", &o.n_ctx, "N", "context size (default: the model's, at most 4096)");
    p.add_int("-n,--n-predict", &o.n_predict, "N",
              "most tokens per reply (default -1: until the end of the turn)");
    p.add_int("-t,--threads", &o.n_threads, "N", "threads (default: all cores)");
    o.load.add_to(p);
    p.add_int("-b,--batch-size", &o.n_batch, "N", "prompt tokens per batch (default 512)");
    p.add_int("-s,--seed", &o.seed, "N", "random seed (default: random)");
    p.add_float("--temp", &o.temp, "T", "temperature (default 0.8; 0: greedy)");
    p.add_int("--top-k", &o.top_k, "K", "keep the K most likely tokens (default 40; 0: off)");
    p.add_float("--top-p", &o.top_p, "P", "nucleus sampling threshold (default 0.95; 1: off)");
    p.add_float("--min-p", &o.min_p, "P",
                "drop tokens below P x the top probability (default 0.05)");
    p.add_float("--repeat-penalty", &o.repeat_penalty, "R",
                "penalise repeated tokens (default 1.0: off)");
    p.add_int("--repeat-last-n", &o.repeat_last_n, "N",
              "tokens the penalty looks back at (default 64)");
    p.add_string("--reasoning", &o.reasoning, "show|hide",
                 "thinking of reasoning models: shown dimmed (default) or hidden");
    p.add_flag("--multiline", &o.multiline, "a message ends at an empty line, not at each line");
    p.add_strings("--stop", &o.stops, "TEXT", "end the reply at TEXT (repeatable; not shown)");
    p.add_flag("--verbose", &o.verbose,
               "after each reply, print the prompt tokens evaluated and the times to stderr");
    switch (p.parse(argc, argv)) {
        case ArgParser::Result::Help:
            return 0;
        case ArgParser::Result::Error:
            return 2;
        case ArgParser::Result::Ok:
            break;
    }
    if (!p.positional().empty()) {
        std::fprintf(stderr, "lamina chat: unexpected argument '%s'\n", p.positional()[0].c_str());
        return 2;
    }
    if (o.reasoning != "show" && o.reasoning != "hide") {
        std::fprintf(stderr, "lamina chat: --reasoning takes show or hide, not '%s'\n",
                     o.reasoning.c_str());
        return 2;
    }
    if (!o.system.empty() && !o.system_file.empty()) {
        std::fprintf(stderr, "lamina chat: give either -sys or --system-file, not both\n");
        return 2;
    }
    if (!o.system_file.empty() && !read_text_file(o.system_file, &o.system)) {
        std::fprintf(stderr, "lamina chat: cannot read system prompt file %s\n",
                     o.system_file.c_str());
        return 1;
    }
    if (o.model.empty()) o.model = default_model_path();
    if (o.model.empty()) {
        std::fprintf(stderr, "lamina chat: no model given (-m FILE) and no bundled model found\n");
        return 2;
    }
    if (o.n_threads <= 0) o.n_threads = std::max(1u, std::thread::hardware_concurrency());

    LineReader reader;
    std::unique_ptr<LlamaModel> model;
    {
        ProgressBar bar("loading " + o.model);
        auto loaded = LlamaModel::load(
            o.model, [&](size_t d, size_t t) { bar.update(d, t); }, o.load.mode());
        bar.finish();
        if (!loaded) {
            std::fprintf(stderr, "lamina chat: %s\n", loaded.error().c_str());
            return 1;
        }
        model = std::move(*loaded);
    }
    auto tok = Tokenizer::from_gguf(model->gguf());
    if (!tok) {
        std::fprintf(stderr, "lamina chat: %s: %s\n", o.model.c_str(), tok.error().c_str());
        return 1;
    }
    if ((*tok)->n_vocab() != model->hparams().n_vocab) {
        std::fprintf(stderr, "lamina chat: %s: tokenizer has %d tokens but the model has %lld\n",
                     o.model.c_str(), (*tok)->n_vocab(), (long long)model->hparams().n_vocab);
        return 1;
    }
    auto chosen =
        choose_chat_template(model->gguf(), o.chat_template, o.chat_template_file, o.system);
    if (!chosen) {
        std::fprintf(stderr, "lamina chat: %s\n", chosen.error().c_str());
        return 1;
    }
    if (!chosen->notice.empty()) std::fprintf(stderr, "lamina chat: %s\n", chosen->notice.c_str());

    ChatSettings settings;
    settings.template_source = chosen->source;
    settings.max_reply = o.n_predict;
    settings.stops = o.stops;
    settings.sampling.temp = o.temp;
    settings.sampling.top_k = (int)o.top_k;
    settings.sampling.top_p = o.top_p;
    settings.sampling.min_p = o.min_p;
    settings.sampling.repeat_penalty = o.repeat_penalty;
    settings.sampling.repeat_last_n = (int)o.repeat_last_n;
    settings.sampling.seed =
        o.seed >= 0 ? (uint64_t)o.seed
                    : (uint64_t)std::chrono::system_clock::now().time_since_epoch().count();
    const int64_t n_ctx =
        o.n_ctx > 0 ? o.n_ctx : std::min<int64_t>(model->hparams().n_ctx_train, 4096);
    CpuBackend backend((int)o.n_threads);
    ChatSession session(*model, backend, **tok, n_ctx, o.n_batch, std::move(settings));

    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    struct sigaction previous {};
    sigaction(SIGINT, &sa, &previous);

    if (reader.interactive())
        std::fprintf(stderr,
                     "lamina chat: %s, template: %s, context %lld tokens\n"
                     "Type a message and press Enter. /help lists the commands; Ctrl-C stops a "
                     "reply; Ctrl-D or /exit quits.\n",
                     o.model.c_str(), chosen->origin.c_str(), (long long)n_ctx);
    ChatLoop loop(session, reader, o, g_interrupted);
    loop.conversation().set_system(o.system);
    const int rc = loop.run();
    sigaction(SIGINT, &previous, nullptr);
    return rc;
}

}  // namespace lamina::cli
