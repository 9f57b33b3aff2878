// lamina chat on a terminal, driven as a person would in tmux: type, watch the reply stream,
// Ctrl-C, /regen, /exit. Skipped where tmux is not installed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>

#include "cli/chat_test_fixture.h"
#include "testing/shared_data.h"

namespace lamina {
namespace {

// A tmux server of the test's own (its own socket), so that nothing else is touched.
class Tmux {
  public:
    explicit Tmux(std::string socket) : socket_(std::move(socket)) {}
    ~Tmux() { run("kill-server"); }

    std::string run(const std::string& args) const {
        const std::string cmd = "tmux -L " + socket_ + " " + args + " 2>/dev/null";
        std::string out;
        if (FILE* p = ::popen(cmd.c_str(), "r")) {
            char buf[4096];
            for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
            ::pclose(p);
        }
        return out;
    }
    // The pane's text with wrapped lines joined, including what scrolled off.
    std::string screen() const { return run("capture-pane -p -J -S -1000 -t chat"); }
    void keys(const std::string& keys) const { run("send-keys -t chat " + keys); }

    // Polls the screen until `ok` holds or `seconds` pass.
    bool wait_for(const std::function<bool(const std::string&)>& ok, double seconds) const {
        const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
        while (std::chrono::steady_clock::now() < end) {
            if (ok(screen())) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return false;
    }

  private:
    std::string socket_;
};

size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

bool has(const std::string& text, const std::string& what) {
    return text.find(what) != std::string::npos;
}

// The text after the last occurrence of `marker`.
std::string after(const std::string& text, const std::string& marker) {
    const size_t at = text.rfind(marker);
    return at == std::string::npos ? std::string() : text.substr(at + marker.size());
}

void chat_in_tmux(const char* chat_template, const char* name) {
    if (std::system("command -v tmux >/dev/null 2>&1") != 0) GTEST_SKIP() << "tmux not installed";
    LAMINA_SHARED_FILE_OR_SKIP(fixture, "fixtures/rand-fix256-f16.gguf");
    testing::TempDir dir;
    const std::string model = dir.file(std::string(name) + ".gguf");
    ASSERT_EQ(testing::write_with_chat_template(fixture, model, chat_template), "");
    const std::string status = dir.file("status");
    Tmux tmux("lamina_chat_test_" + std::to_string(::getpid()));
    // A reply of up to 4000 tokens takes long enough to be seen streaming and to be stopped.
    const std::string command = std::string(LAMINA_CLI_PATH) + " chat -m " + model +
                                " -t 2 -s 5 -n 4000 -c 4096; echo $? > " + status;
    tmux.run("new-session -d -s chat -x 150 -y 40 \"" + command + "\"");

    ASSERT_TRUE(tmux.wait_for([](const std::string& s) { return has(s, "Type a message"); }, 30))
        << tmux.screen();
    EXPECT_FALSE(has(tmux.screen(), "using chatml"));  // the model's own template is used

    // Type a message: it shows after the prompt, and the reply streams in below it.
    tmux.keys("'Hello there' Enter");
    ASSERT_TRUE(tmux.wait_for(
        [](const std::string& s) { return after(s, "> Hello there\n").size() > 20; }, 30))
        << tmux.screen();
    const size_t seen = after(tmux.screen(), "> Hello there\n").size();
    EXPECT_TRUE(tmux.wait_for(
        [&](const std::string& s) { return after(s, "> Hello there\n").size() > seen + 20; }, 30))
        << "the reply did not grow while streaming";

    // Ctrl-C stops the reply; the chat gives a new prompt and goes on.
    tmux.keys("C-c");
    ASSERT_TRUE(tmux.wait_for(
        [](const std::string& s) { return has(after(s, "reply stopped (Ctrl-C)"), "\n> "); }, 30))
        << tmux.screen();
    tmux.keys("'Second question' Enter");
    ASSERT_TRUE(tmux.wait_for(
        [](const std::string& s) { return after(s, "> Second question\n").size() > 20; }, 30))
        << tmux.screen();
    tmux.keys("C-c");
    ASSERT_TRUE(tmux.wait_for(
        [](const std::string& s) { return count(s, "reply stopped (Ctrl-C)") == 2; }, 30))
        << tmux.screen();

    // /regen answers the same question again.
    tmux.keys("/regen Enter");
    ASSERT_TRUE(
        tmux.wait_for([](const std::string& s) { return after(s, "> /regen\n").size() > 20; }, 30))
        << tmux.screen();
    tmux.keys("C-c");
    ASSERT_TRUE(tmux.wait_for(
        [](const std::string& s) { return count(s, "reply stopped (Ctrl-C)") == 3; }, 30))
        << tmux.screen();

    // Ctrl-C at the prompt does not quit; /exit does, with status 0.
    tmux.keys("C-c");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(testing::slurp(status), "");
    tmux.keys("/exit Enter");
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (testing::slurp(status).empty() && std::chrono::steady_clock::now() < end)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(testing::slurp(status), "0\n");
}

TEST(ChatTmux, ThinkingIsShownDimmed) {
    if (std::system("command -v tmux >/dev/null 2>&1") != 0) GTEST_SKIP() << "tmux not installed";
    LAMINA_SHARED_FILE_OR_SKIP(fixture, "fixtures/rand-fix256-f16.gguf");
    testing::TempDir dir;
    // The generation prompt opens a thinking block the noise reply never closes.
    const std::string model = dir.file("thinking.gguf");
    ASSERT_EQ(testing::write_with_chat_template(
                  fixture, model,
                  std::string(testing::kChatmlTemplate) +
                      "{% if add_generation_prompt %}{{ '<think>\\n' }}{% endif %}"),
              "");
    Tmux tmux("lamina_chat_test_" + std::to_string(::getpid()));
    tmux.run("new-session -d -s chat -x 150 -y 40 \"" + std::string(LAMINA_CLI_PATH) + " chat -m " +
             model + " -t 2 -s 5 -n 12\"");
    ASSERT_TRUE(tmux.wait_for([](const std::string& s) { return has(s, "Type a message"); }, 30))
        << tmux.screen();
    tmux.keys("'Hello there' Enter");
    ASSERT_TRUE(tmux.wait_for(
        [](const std::string& s) { return has(after(s, "> Hello there\n"), "\n> "); }, 30))
        << tmux.screen();
    // With its attributes, the pane shows the reply in faint text (SGR 2).
    const std::string styled = tmux.run("capture-pane -p -e -J -t chat");
    EXPECT_TRUE(has(after(styled, "Hello there"), "\x1b[2m")) << styled;
    tmux.keys("/exit Enter");
}

TEST(ChatTmux, ChatmlModelTypeStreamInterruptRegenExit) {
    chat_in_tmux(testing::kChatmlTemplate, "chatml");
}

TEST(ChatTmux, Llama3ModelTypeStreamInterruptRegenExit) {
    chat_in_tmux(testing::kLlama3Template, "llama3");
}

}  // namespace
}  // namespace lamina
