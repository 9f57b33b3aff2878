// LineReader: reads the user's lines, with libedit's editing and history on a terminal.
#pragma once

#include <optional>
#include <string>

namespace lamina::cli {

// On a terminal, lines are read with libedit (editing, history, a prompt); otherwise they are
// read plainly from standard input, without a prompt, so that scripts can drive the chat.
class LineReader {
  public:
    LineReader();
    ~LineReader();
    LineReader(const LineReader&) = delete;
    LineReader& operator=(const LineReader&) = delete;

    bool interactive() const { return interactive_; }
    // The next line without its newline; nullopt at the end of input (Ctrl-D).
    std::optional<std::string> read(const std::string& prompt);
    // Adds an entered message to the history (up-arrow recalls it).
    void remember(const std::string& line);

  private:
    bool interactive_;
};

}  // namespace lamina::cli
