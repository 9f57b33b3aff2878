// ChatSession: answers a Conversation with a model, keeping the KV cache of what it already saw.
#include "runtime/chat_session.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <unordered_map>

#include "chat/stop_scanner.h"
#include "runtime/chat_prompt.h"

namespace lamina {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// End-of-turn markers of the common template families. Where the vocabulary has one as a token,
// sampling it ends the reply (even if the GGUF does not mark it); where a template writes one
// that is not a token, the model can only spell it out, so the text becomes a stop string.
constexpr const char* kTurnEndMarkers[] = {
    "<|im_end|>",    "<|eot_id|>",      "<|eom_id|>", "<end_of_turn>", "<|end|>",
    "<|endoftext|>", "<|end_of_text|>", "<turn|>",    "<|return|>",    "<｜end▁of▁sentence｜>",
};

std::string trim(const std::string& s) {
    const size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    const size_t e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

}  // namespace

ChatSession::ChatSession(LlamaModel& model, Backend& backend, const Tokenizer& tokenizer,
                         int64_t n_ctx, int64_t n_batch, ChatSettings settings)
    : session_(model, backend, n_ctx, n_batch),
      tokenizer_(tokenizer),
      settings_(std::move(settings)),
      sampler_(settings_.sampling) {
    const int64_t ctx = session_.n_ctx();
    reply_reserve_ = settings_.max_reply > 0 ? std::min(settings_.max_reply, ctx / 2) : ctx / 4;

    std::unordered_map<std::string, bool> wanted;  // text -> is a thinking marker
    for (const char* m : kTurnEndMarkers) wanted[m] = false;
    for (const auto& m : chat::known_thinking_markers()) wanted[m.open] = wanted[m.close] = true;
    std::unordered_map<std::string, TokenId> found;
    for (TokenId id = 0; id < tokenizer_.n_vocab(); ++id) {
        const std::string& t = tokenizer_.token_text(id);
        auto it = wanted.find(t);
        if (it == wanted.end()) continue;
        found[t] = id;
        (it->second ? marker_tokens_ : end_tokens_).insert(id);
    }
    text_stops_ = settings_.stops;
    for (const char* m : kTurnEndMarkers)
        if (!found.count(m) && settings_.template_source.find(m) != std::string::npos)
            text_stops_.push_back(m);
}

Expected<std::vector<TokenId>> ChatSession::tokenize(const chat::Conversation& conv,
                                                     bool add_generation_prompt,
                                                     std::string* text) const {
    return tokenize_chat(tokenizer_, settings_.template_source, conv, add_generation_prompt, text);
}

Status ChatSession::evaluate(const std::vector<TokenId>& prompt, TurnStats& stats) {
    // Keep the longest prefix the cache already holds; at least one token is evaluated so that
    // there are logits to sample the reply from.
    size_t keep = 0;
    while (keep < prompt.size() && keep < cached_.size() && prompt[keep] == cached_[keep]) ++keep;
    if (keep == prompt.size()) --keep;
    session_.truncate((int64_t)keep);
    cached_.resize(keep);
    const auto t0 = Clock::now();
    const std::span<const TokenId> fresh(prompt.data() + keep, prompt.size() - keep);
    if (Status s = session_.eval(fresh); !s) return s;
    stats.prompt_s = seconds_since(t0);
    stats.prompt_tokens = (int64_t)prompt.size();
    stats.evaluated_tokens = (int64_t)fresh.size();
    cached_ = prompt;
    for (TokenId t : fresh) sampler_.accept(t);
    return Status::ok();
}

Expected<TurnStats> ChatSession::reply(chat::Conversation& conv, const TextSink& on_text,
                                       const std::atomic<bool>* cancel,
                                       const std::function<void(const std::string&)>& notice) {
    TurnStats stats;
    std::string text;
    auto prompt = tokenize(conv, true, &text);
    if (!prompt) return prompt.status();
    const int64_t limit = session_.n_ctx() - reply_reserve_;
    if ((int64_t)prompt->size() > limit) {
        // Refuse a message that does not fit even alone, before dropping anything for it.
        chat::Conversation alone = conv;
        while (alone.drop_oldest_turn()) {
        }
        auto alone_tokens = tokenize(alone);
        if (!alone_tokens) return alone_tokens.status();
        if ((int64_t)alone_tokens->size() > limit)
            return Status::error(
                "the message is too long: " + std::to_string(alone_tokens->size()) +
                " tokens with the template and system prompt, but the context holds " +
                std::to_string(session_.n_ctx()) + " with " + std::to_string(reply_reserve_) +
                " kept for the reply (use a larger -c)");
        while ((int64_t)prompt->size() > limit && conv.drop_oldest_turn()) {
            ++stats.dropped_turns;
            prompt = tokenize(conv, true, &text);
            if (!prompt) return prompt.status();
        }
        if (notice)
            notice("context full: dropped the " + std::to_string(stats.dropped_turns) +
                   " oldest turn" + (stats.dropped_turns == 1 ? "" : "s") + ", re-evaluating the " +
                   std::to_string(prompt->size()) + " tokens kept");
    }
    if (Status s = evaluate(*prompt, stats); !s) return s;

    chat::StopScanner stop(text_stops_);
    chat::ReasoningSplitter splitter;
    splitter.start_after_prompt(text);
    StreamDecoder decoder(tokenizer_);
    std::string content, reasoning;
    auto deliver = [&](const std::vector<chat::ReplySegment>& segments) {
        for (const chat::ReplySegment& s : segments) {
            (s.reasoning ? reasoning : content) += s.text;
            if (on_text) on_text(s);
        }
    };
    auto feed = [&](const std::string& piece) {
        if (!piece.empty()) deliver(splitter.push(stop.push(piece)));
    };

    const auto t0 = Clock::now();
    const int n_vocab = (int)session_.n_vocab();
    const float* logits = session_.logits(session_.n_logit_rows() - 1);
    const int64_t budget =
        settings_.max_reply < 0 ? std::numeric_limits<int64_t>::max() : settings_.max_reply;
    stats.stop_reason = "length";
    for (int64_t i = 0;; ++i) {
        if (i >= budget) break;
        if (cancel && cancel->load()) {
            stats.stop_reason = "interrupted";
            break;
        }
        const TokenId next = sampler_.sample(logits, n_vocab);
        sampler_.accept(next);
        if (ends_turn(next)) {
            stats.stop_reason = "end of turn";
            break;
        }
        ++stats.reply_tokens;
        // Thinking markers are often control tokens, which decode to nothing; they are kept as
        // text here so that the splitter sees them.
        if (marker_tokens_.count(next))
            feed(decoder.flush() + tokenizer_.token_text(next));
        else
            feed(decoder.push(next));
        if (stop.stopped()) {
            stats.stop_reason = "stop string";
            break;
        }
        if (session_.n_past() >= session_.n_ctx()) {
            stats.stop_reason = "context full";
            break;
        }
        const TokenId one[1] = {next};
        if (Status s = session_.eval(one); !s) return s;
        cached_.push_back(next);
        logits = session_.logits(0);
    }
    if (!stop.stopped()) feed(decoder.flush());
    if (!stop.stopped()) deliver(splitter.push(stop.flush()));
    deliver(splitter.flush());
    stats.reply_s = seconds_since(t0);
    conv.add_assistant(trim(content), trim(reasoning));
    return stats;
}

}  // namespace lamina
