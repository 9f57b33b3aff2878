// ReasoningSplitter: separates a streamed reply's thinking (between markers) from its answer.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lamina::chat {

// An opening and closing thinking marker, e.g. <think> and </think>.
struct ThinkingMarkers {
    std::string open, close;
};

// The markers that the templates in use write around a model's reasoning.
const std::vector<ThinkingMarkers>& known_thinking_markers();

// A run of reply text, reasoning or answer.
struct ReplySegment {
    bool reasoning = false;
    std::string text;
};

// Fed the reply text piece by piece, returns it cut into reasoning and answer segments, without
// the markers. Text that may be the start of a marker is held back until it is known.
class ReasoningSplitter {
  public:
    explicit ReasoningSplitter(std::vector<ThinkingMarkers> markers = known_thinking_markers());

    // Starts inside reasoning, as when the prompt itself ends with an opening marker (templates
    // that open the thinking block for the model). Returns false when `prompt` ends with none.
    bool start_after_prompt(std::string_view prompt);

    std::vector<ReplySegment> push(std::string_view text);
    std::vector<ReplySegment> flush();

  private:
    void emit(std::vector<ReplySegment>& out, std::string text) const;

    std::vector<ThinkingMarkers> markers_;
    std::string held_;
    bool in_reasoning_ = false;
    size_t open_marker_ = 0;  // which pair opened the current reasoning
};

}  // namespace lamina::chat
