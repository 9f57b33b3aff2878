// StopScanner: finds stop strings in text that arrives in pieces, holding back what may start one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lamina::chat {

// The text a reply streams is fed piece by piece; push() returns only what is certain not to be
// part of a stop string, so a stop string is never printed, not even its first bytes. Pieces are
// whole UTF-8 characters, and a held-back tail starts where a stop string starts, so what is
// returned is whole characters too.
class StopScanner {
  public:
    explicit StopScanner(std::vector<std::string> stops);

    // Adds text; returns the part now safe to show. After a stop string is found, returns the
    // text before it, stopped() turns true and later pushes return nothing.
    std::string push(std::string_view text);
    // The text still held back when the reply ends without a stop string.
    std::string flush();

    bool stopped() const { return stopped_; }
    const std::string& matched() const { return matched_; }

  private:
    std::vector<std::string> stops_;
    std::string held_;
    bool stopped_ = false;
    std::string matched_;
};

}  // namespace lamina::chat
