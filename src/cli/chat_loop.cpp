// ChatLoop: the read-answer loop of `lamina chat`, its /commands and how replies are printed.
#include "cli/chat_loop.h"
#include "cli/text_file.h"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace lamina::cli {
namespace {

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

}  // namespace

// Everything one chat needs while it runs.

ChatLoop::ChatLoop(ChatSession& session, LineReader& reader, const ChatOptions& o,
                   std::atomic<bool>& interrupted)
    : session_(session),
      reader_(reader),
      o_(o),
      interrupted_(interrupted),
      tty_out_(reader.interactive()) {}

int ChatLoop::run() {
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

// One message: a line, continued by a trailing backslash, or with --multiline every line
// up to an empty one. nullopt at the end of input.
std::optional<std::string> ChatLoop::read_message() {
    std::string message;
    bool first = true;
    for (;;) {
        interrupted_.store(false);
        auto line = reader_.read(first ? "> " : ". ");
        if (!line && interrupted_.load()) {
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
void ChatLoop::answer(const chat::Conversation& before) {
    interrupted_.store(false);
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
    auto stats = session_.reply(conv_, sink, &interrupted_, notice);
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
                     turns_, (long long)stats->prompt_tokens, (long long)stats->evaluated_tokens,
                     stats->prompt_s, (long long)stats->reply_tokens, stats->reply_s,
                     stats->stop_reason.c_str(), (long long)session_.cached_tokens(),
                     (long long)session_.n_ctx());
}

// Handles a /command; false to quit.
bool ChatLoop::command(const std::string& line) {
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
        std::fprintf(stderr, "lamina chat: system prompt %s\n", arg.empty() ? "removed" : "set");
    } else {
        std::fprintf(stderr, "lamina chat: unknown command %s (/help lists them)\n", name.c_str());
    }
    return true;
}

}  // namespace lamina::cli
