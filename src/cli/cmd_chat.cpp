// lamina chat: an interactive conversation with a model, through its chat template.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include "backend/cpu/cpu_backend.h"
#include "cli/chat_loop.h"
#include "cli/chat_template_setup.h"
#include "cli/commands.h"
#include "cli/line_reader.h"
#include "cli/load_flags.h"
#include "cli/model_loading.h"
#include "cli/options.h"
#include "cli/text_file.h"
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
    CommandSpec spec{
        "chat",
        "[-m MODEL.gguf] [-sys TEXT] [options]",
        "Talks with a model through its chat template. On a terminal: line editing, history and "
        "/help; piped, each input line is a message and each reply ends with a newline.",
        {{"-m,--model", &o.model, "FILE",
          "model file (default: $LAMINA_MODEL, else the bundled model)"},
         {"-sys,--system-prompt", &o.system, "TEXT", "system prompt"},
         {"--system-file", &o.system_file, "FILE", "read the system prompt from a file"},
         {"--chat-template", &o.chat_template, "NAME",
          "a built-in template (chatml, llama3, ...) or a template text instead of the model's"},
         {"--chat-template-file", &o.chat_template_file, "FILE",
          "the Jinja template in FILE instead of the model's"},
         {"-c,--ctx-size", &o.n_ctx, "N", "context size (default: the model's, at most 4096)", 0,
          int64_t(1) << 20},
         {"-n,--predict,--n-predict", &o.n_predict, "N",
          "most tokens per reply (-1: until the end of the turn)", -1, int64_t(1) << 20},
         {"-t,--threads", &o.n_threads, "N", "threads (default: all cores)", 0, 1024},
         {"-b,--batch-size", &o.n_batch, "N", "prompt tokens per batch", 1, int64_t(1) << 20},
         {"-s,--seed", &o.seed, "N", "random seed (default: random)"},
         {"--temp", &o.temp, "T", "temperature; 0: greedy"},
         {"--top-k", &o.top_k, "K", "keep the K most likely tokens; 0: off", 0, INT32_MAX},
         {"--top-p", &o.top_p, "P", "nucleus sampling threshold; 1: off"},
         {"--min-p", &o.min_p, "P", "drop tokens below P x the top probability"},
         {"--repeat-penalty", &o.repeat_penalty, "R", "penalise repeated tokens; 1: off"},
         {"--repeat-last-n", &o.repeat_last_n, "N", "tokens the penalty looks back at", -1,
          int64_t(1) << 20},
         {"--reasoning", &o.reasoning, "show|hide",
          "thinking of reasoning models: shown dimmed or hidden"},
         {"--multiline", &o.multiline, "a message ends at an empty line, not at each line"},
         {"--stop", &o.stops, "TEXT", "end the reply at TEXT (repeatable; not shown)"},
         {"--verbose", &o.verbose,
          "after each reply, print the prompt tokens evaluated and the times to stderr"}}};
    std::ranges::move(o.load.options(), std::back_inserter(spec.options));
    if (auto exit = parse_command_line(spec, argc, argv)) return *exit;
    if (!o.system.empty() && !o.system_file.empty())
        return fail("chat", "give either -sys or --system-file, not both", 2);
    if (!o.system_file.empty()) {
        if (Status s = read_text_file(o.system_file, &o.system); !s)
            return fail("chat", "system prompt file " + s.message());
    }
    if (o.n_threads <= 0) o.n_threads = std::max(1u, std::thread::hardware_concurrency());

    LineReader reader;
    std::unique_ptr<LlamaModel> model = load_model_or_report("chat", o.model, o.load.mode());
    if (!model) return 1;
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
