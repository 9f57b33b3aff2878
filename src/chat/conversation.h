// Conversation: a chat's system prompt and turns, as OpenAI-style messages.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace lamina::chat {

// Messages are kept in the order a chat template reads them: the system prompt (when set)
// first, then user and assistant turns. An assistant's thinking is kept apart from its answer,
// as `reasoning_content`.
class Conversation {
  public:
    // An empty text removes the system prompt.
    void set_system(std::string text);
    std::string system() const;

    void add_user(std::string text);
    void add_assistant(std::string content, std::string reasoning);
    // Removes the last message when it is an assistant's reply (for /regen).
    bool drop_last_reply();
    // Removes the last message (a user message the model could not take).
    void pop_back();
    // Forgets every turn, keeping the system prompt.
    void clear();
    // Removes the oldest user turn after the system prompt, with the replies that follow it.
    // Refuses (false) when that would remove the last user message.
    bool drop_oldest_turn();

    size_t size() const { return messages_.size(); }
    const nlohmann::ordered_json& messages() const { return messages_; }
    const nlohmann::ordered_json& back() const { return messages_.back(); }

    // OpenAI-style JSON: a list of {"role", "content"[, "reasoning_content"]}.
    std::string to_json() const;
    // Reads what to_json writes (or any list of messages with string role and content);
    // a one-line error for anything else.
    static Expected<Conversation> from_json(std::string_view text);

  private:
    bool has_system() const;
    nlohmann::ordered_json messages_ = nlohmann::ordered_json::array();
};

}  // namespace lamina::chat
