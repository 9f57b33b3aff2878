// ReasoningSplitter: separates a streamed reply's thinking (between markers) from its answer.
#include "chat/reasoning_splitter.h"

#include <algorithm>

namespace lamina::chat {

const std::vector<ThinkingMarkers>& known_thinking_markers() {
    // From the shared templates: DeepSeek R1 / Qwen 3 / QwQ / GLM / MiniMax (<think>), Seed-OSS,
    // Mistral's reasoning models ([THINK]), some Granite/Apriel prompts (<thinking>) and
    // Gemma 4's thought channel.
    static const std::vector<ThinkingMarkers> markers = {
        {"<think>", "</think>"},       {"<seed:think>", "</seed:think>"},   {"[THINK]", "[/THINK]"},
        {"<thinking>", "</thinking>"}, {"<|channel>thought", "<channel|>"},
    };
    return markers;
}

ReasoningSplitter::ReasoningSplitter(std::vector<ThinkingMarkers> markers)
    : markers_(std::move(markers)) {}

bool ReasoningSplitter::start_after_prompt(std::string_view prompt) {
    size_t end = prompt.size();
    while (end > 0 && (prompt[end - 1] == '\n' || prompt[end - 1] == ' ')) --end;
    for (size_t i = 0; i < markers_.size(); ++i) {
        const std::string& open = markers_[i].open;
        if (end >= open.size() && prompt.substr(end - open.size(), open.size()) == open) {
            in_reasoning_ = true;
            open_marker_ = i;
            return true;
        }
    }
    return false;
}

void ReasoningSplitter::emit(std::vector<ReplySegment>& out, std::string text) const {
    if (text.empty()) return;
    if (!out.empty() && out.back().reasoning == in_reasoning_) {
        out.back().text += text;
    } else {
        out.push_back({in_reasoning_, std::move(text)});
    }
}

std::vector<ReplySegment> ReasoningSplitter::push(std::string_view text) {
    std::vector<ReplySegment> out;
    held_.append(text);
    for (;;) {
        // Outside reasoning any opening marker counts; inside, only the matching close.
        size_t best = std::string::npos, which = 0, length = 0;
        for (size_t i = 0; i < markers_.size(); ++i) {
            if (in_reasoning_ && i != open_marker_) continue;
            const std::string& m = in_reasoning_ ? markers_[i].close : markers_[i].open;
            const size_t at = held_.find(m);
            if (at < best) {
                best = at;
                which = i;
                length = m.size();
            }
        }
        if (best == std::string::npos) break;
        emit(out, held_.substr(0, best));
        held_.erase(0, best + length);
        in_reasoning_ = !in_reasoning_;
        open_marker_ = which;
    }
    // Hold back the longest tail that may begin a marker.
    size_t keep = 0;
    for (size_t i = 0; i < markers_.size(); ++i) {
        if (in_reasoning_ && i != open_marker_) continue;
        const std::string& m = in_reasoning_ ? markers_[i].close : markers_[i].open;
        for (size_t k = std::min(held_.size(), m.size() - 1); k > keep; --k) {
            if (held_.compare(held_.size() - k, k, m, 0, k) == 0) {
                keep = k;
                break;
            }
        }
    }
    emit(out, held_.substr(0, held_.size() - keep));
    held_.erase(0, held_.size() - keep);
    return out;
}

std::vector<ReplySegment> ReasoningSplitter::flush() {
    std::vector<ReplySegment> out;
    emit(out, std::move(held_));
    held_.clear();
    return out;
}

}  // namespace lamina::chat
