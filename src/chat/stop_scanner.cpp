// StopScanner: finds stop strings in text that arrives in pieces, holding back what may start one.
#include "chat/stop_scanner.h"

#include <algorithm>

namespace lamina::chat {

StopScanner::StopScanner(std::vector<std::string> stops) {
    for (std::string& s : stops)
        if (!s.empty()) stops_.push_back(std::move(s));
}

std::string StopScanner::push(std::string_view text) {
    if (stopped_) return {};
    held_.append(text);
    // The earliest stop string wins; on a tie at one position, the first given.
    size_t best = std::string::npos;
    for (const std::string& s : stops_) {
        const size_t at = held_.find(s);
        if (at < best) {
            best = at;
            matched_ = s;
        }
    }
    if (best != std::string::npos) {
        stopped_ = true;
        std::string out = held_.substr(0, best);
        held_.clear();
        return out;
    }
    // Keep the longest tail that is the beginning of some stop string.
    size_t keep = 0;
    for (const std::string& s : stops_) {
        for (size_t k = std::min(held_.size(), s.size() - 1); k > keep; --k) {
            if (held_.compare(held_.size() - k, k, s, 0, k) == 0) {
                keep = k;
                break;
            }
        }
    }
    std::string out = held_.substr(0, held_.size() - keep);
    held_.erase(0, held_.size() - keep);
    return out;
}

std::string StopScanner::flush() {
    std::string out;
    out.swap(held_);
    return out;
}

}  // namespace lamina::chat
