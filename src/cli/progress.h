// ProgressBar: a one-line progress indicator on stderr for long work (only on a terminal).
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>

namespace lamina::cli {

class ProgressBar {
  public:
    explicit ProgressBar(std::string label, FILE* out = stderr);
    ~ProgressBar() { finish(); }
    void update(size_t done, size_t total);
    // A new label (a time left that changes) is drawn at the next update.
    void set_label(std::string label) {
        if (label != label_) label_ = std::move(label), last_percent_ = -1;
    }
    void finish();

  private:
    std::string label_;
    FILE* out_;
    bool tty_;
    bool drawn_ = false;
    int last_percent_ = -1;
};

}  // namespace lamina::cli
