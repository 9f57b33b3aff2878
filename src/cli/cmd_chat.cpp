// lamina chat: an interactive conversation with a model, through its chat template.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "backend/cpu/cpu_backend.h"
#include "chat/conversation.h"
#include "cli/args.h"
#include "cli/chat_template_choice.h"
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

struct ChatOptions {
    std::string model, system, system_file, chat_template, chat_template_file;
    std::string reasoning = "show";
    std::vector<std::string> stops;
    int64_t n_predict = -1, n_ctx = 0, n_threads = 0, seed = -1, n_batch = 512;
    int64_t top_k = 40, repeat_last_n = 64;
    float temp = 0.8f, top_p = 0.95f, min_p = 0.05f, repeat_penalty = 1.0f;
    bool multiline = false, verbose = false;
    LoadFlags load;
};

constexpr const char* kHelp =
    "commands:\n"
    "  /exit          quit (Ctrl-D does too)\n"
    "  /clear         start a new conversation with the same system prompt\n"
    "  /regen         drop the last reply and answer again\n"
    "  /read FILE     send the text of FILE as your message\n"
    "  /save FILE     write the conversation as JSON messages\n"
    "  /load FILE     continue a conversation saved with /save\n"
    "  /system TEXT   set the system prompt (empty: none)\n"
    "  /help          this list\n"
    "Ctrl-C stops a reply. A line ending in \\ continues on the next line"
    " (with --multiline, a message ends at an empty line).\n";

bool read_text_file(const std::string& path, std::string* out) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return false;
    std::stringstream ss;
    ss << f.rdbuf();
    *out = ss.str();
    return true;
}

// Everything one chat needs while it runs.
class ChatLoop {
  public:
    ChatLoop(ChatSession& session, LineReader& reader, const ChatOptions& o)
        : session_(session), reader_(reader), o_(o), tty_out_(reader.interactive()) {}

    chat::Conversation& conversation() { return conv_; }

    int run() {
        for (;;) {
            std::optional<std::string> message = read_message();
            if (!message) break;
            if (message->empty()) continue;
            if ((*message)[0] == '/') {
                if (!command(*message)) break;
                continue;
            }
            reader_.remember(*message);
            chat::Conversation before = conv_;
            conv_.add_user(*message);
            answer(before);
        }
        if (tty_out_) std::fputc('\n', stdout);
        return 0;
    }

  private:
    // One message: a line, continued by a trailing backslash, or with --multiline every line
    // up to an empty one. nullopt at the end of input.
    std::optional<std::string> read_message() {
        std::string message;
        bool first = true;
        for (;;) {
            g_interrupted.store(false);
            auto line = reader_.read(first ? "> " : ". ");
            if (!line && g_interrupted.load()) {
                // Ctrl-C at the prompt drops what was typed; only Ctrl-D or /exit quit.
                std::fputc('\n', stdout);
                message.clear();
                first = true;
                continue;
            }
            if (!line) return first ? std::nullopt : std::optional<std::string>(message);
            if (first && !line->empty() && (*line)[0] == '/') return line;
            first = false;
            if (o_.multiline) {
                if (line->empty()) return message;
                message += (message.empty() ? "" : "\n") + *line;
                continue;
            }
            if (!line->empty() && line->back() == '\\') {
                line->pop_back();
                message += *line + "\n";
                continue;
            }
            return message + *line;
        }
    }

    // Runs a turn; on failure the conversation goes back to `before`.
    void answer(const chat::Conversation& before) {
        g_interrupted.store(false);
        bool in_reasoning = false;
        auto sink = [&](const chat::ReplySegment& s) {
            if (s.reasoning && o_.reasoning == "hide") return;
            if (tty_out_ && s.reasoning != in_reasoning)
                std::fputs(s.reasoning ? "\x1b[2m" : "\x1b[0m", stdout);
            in_reasoning = s.reasoning;
            std::fwrite(s.text.data(), 1, s.text.size(), stdout);
            std::fflush(stdout);
        };
        auto notice = [](const std::string& line) {
            std::fprintf(stderr, "\nlamina chat: %s\n", line.c_str());
        };
        auto stats = session_.reply(conv_, sink, &g_interrupted, notice);
        if (tty_out_ && in_reasoning) std::fputs("\x1b[0m", stdout);
        if (!stats) {
            std::fflush(stdout);
            std::fprintf(stderr, "lamina chat: %s\n", stats.error().c_str());
            conv_ = before;
            return;
        }
        std::fputc('\n', stdout);
        std::fflush(stdout);
        ++turns_;
        if (stats->stop_reason == "interrupted")
            std::fprintf(stderr, "lamina chat: reply stopped (Ctrl-C)\n");
        if (o_.verbose)
            std::fprintf(stderr,
                         "lamina chat: turn %d: prompt %lld tokens, %lld evaluated in %.3f s; "
                         "reply %lld tokens in %.3f s (stop: %s); cache %lld/%lld\n",
                         turns_, (long long)stats->prompt_tokens,
                         (long long)stats->evaluated_tokens, stats->prompt_s,
                         (long long)stats->reply_tokens, stats->reply_s, stats->stop_reason.c_str(),
                         (long long)session_.cached_tokens(), (long long)session_.n_ctx());
    }

    // Handles a /command; false to quit.
    bool command(const std::string& line) {
        const size_t space = line.find(' ');
        const std::string name = line.substr(0, space);
        std::string arg = space == std::string::npos ? "" : line.substr(space + 1);
        while (!arg.empty() && (arg.back() == ' ' || arg.back() == '\t')) arg.pop_back();
        reader_.remember(line);
        if (name == "/exit" || name == "/quit") return false;
        if (name == "/help") {
            std::fputs(kHelp, stderr);
        } else if (name == "/clear") {
            conv_.clear();
            std::fprintf(stderr, "lamina chat: new conversation\n");
        } else if (name == "/regen") {
            chat::Conversation before = conv_;
            if (!conv_.drop_last_reply()) {
                std::fprintf(stderr, "lamina chat: no reply to regenerate\n");
            } else {
                answer(before);
            }
        } else if (name == "/read") {
            std::string text;
            if (arg.empty() || !read_text_file(arg, &text)) {
                std::fprintf(stderr, "lamina chat: cannot read '%s'\n", arg.c_str());
            } else {
                chat::Conversation before = conv_;
                conv_.add_user(text);
                answer(before);
            }
        } else if (name == "/save") {
            std::ofstream f(arg, std::ios::binary);
            const std::string json = conv_.to_json();
            if (arg.empty() || !(f << json)) {
                std::fprintf(stderr, "lamina chat: cannot write '%s'\n", arg.c_str());
            } else {
                std::fprintf(stderr, "lamina chat: saved %zu messages to %s\n", conv_.size(),
                             arg.c_str());
            }
        } else if (name == "/load") {
            std::string text;
            if (arg.empty() || !read_text_file(arg, &text)) {
                std::fprintf(stderr, "lamina chat: cannot read '%s'\n", arg.c_str());
            } else if (auto loaded = chat::Conversation::from_json(text); !loaded) {
                std::fprintf(stderr, "lamina chat: %s: %s\n", arg.c_str(), loaded.error().c_str());
            } else {
                conv_ = std::move(*loaded);
                std::fprintf(stderr, "lamina chat: loaded %zu messages from %s\n", conv_.size(),
                             arg.c_str());
            }
        } else if (name == "/system") {
            conv_.set_system(arg);
            std::fprintf(stderr, "lamina chat: system prompt %s\n",
                         arg.empty() ? "removed" : "set");
        } else {
            std::fprintf(stderr, "lamina chat: unknown command %s (/help lists them)\n",
                         name.c_str());
        }
        return true;
    }

    ChatSession& session_;
    LineReader& reader_;
    const ChatOptions& o_;
    const bool tty_out_;
    chat::Conversation conv_;
    int turns_ = 0;
};

}  // namespace

int cmd_chat(int argc, char** argv) {
    ChatOptions o;
    ArgParser p("chat", "[-m MODEL.gguf] [-sys TEXT] [options]",
                "Talks with a model through its chat template. On a terminal: line editing, "
                "history and /help; piped, each input line is a message and each reply a line.");
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
    ChatLoop loop(session, reader, o);
    loop.conversation().set_system(o.system);
    const int rc = loop.run();
    sigaction(SIGINT, &previous, nullptr);
    return rc;
}

}  // namespace lamina::cli
