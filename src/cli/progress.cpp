#include "cli/progress.h"

#include <unistd.h>

namespace lamina::cli {

ProgressBar::ProgressBar(std::string label, FILE* out)
    : label_(std::move(label)), out_(out), tty_(isatty(fileno(out)) != 0) {}

void ProgressBar::update(size_t done, size_t total) {
    if (!tty_ || total == 0) return;
    const int percent = (int)(done * 100 / total);
    if (percent == last_percent_) return;
    last_percent_ = percent;
    constexpr int kWidth = 30;
    const int filled = percent * kWidth / 100;
    // \033[K clears what a longer label drawn before left behind.
    std::fprintf(out_, "\r%s [%.*s%*s] %3d%%\033[K", label_.c_str(), filled,
                 "##############################", kWidth - filled, "", percent);
    std::fflush(out_);
    drawn_ = true;
}

void ProgressBar::finish() {
    if (drawn_) std::fprintf(out_, "\r%*s\r", (int)label_.size() + 40, "");
    drawn_ = false;
}

}  // namespace lamina::cli
