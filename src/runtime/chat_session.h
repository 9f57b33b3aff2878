// ChatSession: answers a Conversation with a model, keeping the KV cache of what it already saw.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

#include "chat/conversation.h"
#include "chat/reasoning_splitter.h"
#include "core/status.h"
#include "runtime/session.h"
#include "sampling/sampler.h"
#include "tokenizer/tokenizer.h"

namespace lamina {

struct ChatSettings {
    std::string template_source;  // the Jinja chat template
    SamplerParams sampling;
    int64_t max_reply = -1;          // tokens per reply; < 0: until the context is full
    std::vector<std::string> stops;  // stop strings (never shown)
};

// What one turn cost, for --verbose and the tests.
struct TurnStats {
    int64_t prompt_tokens = 0;     // the whole rendered conversation
    int64_t evaluated_tokens = 0;  // of which evaluated this turn (the rest was in the cache)
    double prompt_s = 0;
    int64_t reply_tokens = 0;
    double reply_s = 0;
    int dropped_turns = 0;  // oldest turns dropped to fit the context
    std::string stop_reason;
};

class ChatSession {
  public:
    ChatSession(LlamaModel& model, Backend& backend, const Tokenizer& tokenizer, int64_t n_ctx,
                int64_t n_batch, ChatSettings settings);

    // Renders and tokenizes messages with the template, as the model will see them.
    Expected<std::vector<TokenId>> tokenize(const chat::Conversation& conv,
                                            bool add_generation_prompt = true,
                                            std::string* text = nullptr) const;

    // Answers the conversation, whose last message is the user's: fits it into the context
    // (dropping the oldest turns after the system prompt, told through `notice`), evaluates the
    // tokens not already in the cache, streams the reply through `on_text` and appends it to
    // `conv`. `cancel` stops the reply between tokens. Errors leave `conv` unchanged.
    using TextSink = std::function<void(const chat::ReplySegment&)>;
    Expected<TurnStats> reply(chat::Conversation& conv, const TextSink& on_text,
                              const std::atomic<bool>* cancel,
                              const std::function<void(const std::string&)>& notice);

    int64_t n_ctx() const { return session_.n_ctx(); }
    int64_t cached_tokens() const { return (int64_t)cached_.size(); }

  private:
    bool ends_turn(TokenId id) const { return tokenizer_.is_eog(id) || end_tokens_.count(id); }
    Status evaluate(const std::vector<TokenId>& prompt, TurnStats& stats);

    Session session_;
    const Tokenizer& tokenizer_;
    ChatSettings settings_;
    Sampler sampler_;
    std::vector<TokenId> cached_;  // the tokens whose keys and values the cache holds, in order
    std::unordered_set<TokenId> end_tokens_;     // template families' end-of-turn tokens
    std::unordered_set<TokenId> marker_tokens_;  // thinking markers that are single tokens
    std::vector<std::string> text_stops_;        // settings' stops + end markers not in vocab
    int64_t reply_reserve_;
};

}  // namespace lamina
