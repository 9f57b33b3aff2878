// Conversation: a chat's system prompt and turns, as OpenAI-style messages.
#include "chat/conversation.h"

namespace lamina::chat {

using Json = nlohmann::ordered_json;

bool Conversation::has_system() const {
    return !messages_.empty() && messages_[0]["role"] == "system";
}

void Conversation::set_system(std::string text) {
    if (has_system()) messages_.erase(messages_.begin());
    if (!text.empty())
        messages_.insert(messages_.begin(), Json{{"role", "system"}, {"content", std::move(text)}});
}

std::string Conversation::system() const {
    return has_system() ? messages_[0]["content"].get<std::string>() : std::string();
}

void Conversation::add_user(std::string text) {
    messages_.push_back(Json{{"role", "user"}, {"content", std::move(text)}});
}

void Conversation::add_assistant(std::string content, std::string reasoning) {
    Json m{{"role", "assistant"}, {"content", std::move(content)}};
    if (!reasoning.empty()) m["reasoning_content"] = std::move(reasoning);
    messages_.push_back(std::move(m));
}

bool Conversation::drop_last_reply() {
    if (messages_.empty() || messages_.back()["role"] != "assistant") return false;
    messages_.erase(messages_.end() - 1);
    return true;
}

void Conversation::pop_back() {
    if (!messages_.empty()) messages_.erase(messages_.end() - 1);
}

void Conversation::clear() {
    const std::string sys = system();
    messages_ = Json::array();
    set_system(sys);
}

bool Conversation::drop_oldest_turn() {
    const size_t first = has_system() ? 1 : 0;
    // The turn ends where the next user message begins; without one, this is the last turn.
    size_t next_user = first + 1;
    while (next_user < messages_.size() && messages_[next_user]["role"] != "user") ++next_user;
    if (next_user >= messages_.size()) return false;
    messages_.erase(messages_.begin() + (std::ptrdiff_t)first,
                    messages_.begin() + (std::ptrdiff_t)next_user);
    return true;
}

std::string Conversation::to_json() const {
    return messages_.dump(2) + "\n";
}

Expected<Conversation> Conversation::from_json(std::string_view text) {
    Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) return Status::error("not valid JSON");
    if (!parsed.is_array()) return Status::error("expected a JSON list of messages");
    Conversation c;
    for (size_t i = 0; i < parsed.size(); ++i) {
        const Json& m = parsed[i];
        const std::string where = "message " + std::to_string(i + 1);
        if (!m.is_object() || !m.contains("role") || !m["role"].is_string())
            return Status::error(where + " has no \"role\" string");
        const std::string role = m["role"].get<std::string>();
        if (role != "system" && role != "user" && role != "assistant" && role != "tool")
            return Status::error(where + " has an unknown role '" + role + "'");
        if (role == "system" && i != 0)
            return Status::error(where + ": a system message may only come first");
        if (m.contains("content") && !m["content"].is_string() && !m["content"].is_null())
            return Status::error(where + ": \"content\" is not a string");
        c.messages_.push_back(m);
    }
    return c;
}

}  // namespace lamina::chat
