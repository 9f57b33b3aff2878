// ChatLoop: the read-answer loop of `lamina chat`, its /commands and how replies are printed.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chat/conversation.h"
#include "cli/line_reader.h"
#include "cli/load_flags.h"
#include "runtime/chat_session.h"

namespace lamina::cli {

// The flags of `lamina chat`.
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

// Reads messages and /commands until Ctrl-D or /exit, answering each message.
class ChatLoop {
  public:
    // `interrupted` is the flag Ctrl-C sets: it stops the reply in progress.
    ChatLoop(ChatSession& session, LineReader& reader, const ChatOptions& o,
             std::atomic<bool>& interrupted);

    chat::Conversation& conversation() { return conv_; }
    int run();

  private:
    std::optional<std::string> read_message();
    void answer(const chat::Conversation& before);
    bool command(const std::string& line);

    ChatSession& session_;
    LineReader& reader_;
    const ChatOptions& o_;
    std::atomic<bool>& interrupted_;  // set by Ctrl-C
    const bool tty_out_;
    chat::Conversation conv_;
    int turns_ = 0;
};

}  // namespace lamina::cli
