// lamina chat and run --chat end to end, driven through a pipe as a script would: per-turn cost,
// stop strings, context overflow, over-long messages, /save and /load, template errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/chat_test_fixture.h"
#include "testing/shared_data.h"

namespace lamina {
namespace {

using testing::CliRun;
using testing::run_lamina;

// Per-turn numbers from --verbose: prompt tokens, tokens evaluated, stop reason.
struct Turn {
    long prompt = 0, evaluated = 0;
    std::string stop;
};

std::vector<Turn> turns_of(const std::string& err) {
    static const std::regex line(
        R"(turn \d+: prompt (\d+) tokens, (\d+) evaluated in [0-9.]+ s; reply \d+ tokens in [0-9.]+ s \(stop: ([a-z ]+)\))");
    std::vector<Turn> turns;
    for (std::sregex_iterator it(err.begin(), err.end(), line), end; it != end; ++it)
        turns.push_back({std::stol((*it)[1]), std::stol((*it)[2]), (*it)[3]});
    return turns;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines;
}

class ChatCli : public ::testing::Test {
  protected:
    // A copy of the fixture with `chat_template` in it (none when empty).
    std::string model_with(const std::string& chat_template, const std::string& name) {
        const std::string fixture = lamina::testing::shared_file("fixtures/rand-fix256-f16.gguf");
        if (fixture.empty()) return "";
        const std::string path = dir_.file(name);
        const std::string error =
            lamina::testing::write_with_chat_template(fixture, path, chat_template);
        EXPECT_EQ(error, "");
        return path;
    }
    CliRun chat(const std::string& model, const std::string& flags, const std::string& input) {
        return run_lamina("chat -m " + model + " -t 2 -s 1 --temp 0 " + flags, input, dir_);
    }
    lamina::testing::TempDir dir_;
};

#define CHAT_MODEL_OR_SKIP(var, tmpl, name)                             \
    const std::string var = model_with(tmpl, name);                     \
    if (var.empty())                                                    \
        GTEST_SKIP() << "fixtures/rand-fix256-f16.gguf not found (set " \
                        "LAMINA_SHARED)";

TEST_F(ChatCli, ThirtyPipedTurnsEvaluateAFlatNumberOfTokens) {
    CHAT_MODEL_OR_SKIP(model, lamina::testing::kChatmlTemplate, "chatml.gguf");
    std::string input;
    for (int i = 1; i <= 30; ++i) input += "Tell me about the number " + std::to_string(i) + "\n";
    CliRun r = chat(model, "-c 2048 -n 8 --verbose -sys 'You are terse.'", input);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(lines_of(r.out).size(), 30u) << r.out;
    std::vector<Turn> turns = turns_of(r.err);
    ASSERT_EQ(turns.size(), 30u) << r.err;
    // The first turn evaluates everything; every later one only its new messages, however long
    // the conversation has grown.
    EXPECT_EQ(turns[0].evaluated, turns[0].prompt);
    long most = 0;
    for (size_t i = 1; i < turns.size(); ++i) {
        EXPECT_GT(turns[i].prompt, turns[i - 1].prompt);
        EXPECT_LT(turns[i].evaluated, turns[i].prompt);
        most = std::max(most, turns[i].evaluated);
    }
    // A turn evaluates the last reply (8 tokens, which the template frames again) and one
    // user line in its frame: about 53 tokens, as Llama 2's vocabulary spells <|im_start|> and
    // <|im_end|> out as text. The bound does not grow with the 30 turns.
    EXPECT_LE(most, turns[1].evaluated + 8) << r.err;
    EXPECT_LT(most, 64) << r.err;
    EXPECT_GT(turns.back().prompt, 10 * most);
}

TEST_F(ChatCli, Llama3TemplateReusesTheCacheToo) {
    CHAT_MODEL_OR_SKIP(model, lamina::testing::kLlama3Template, "llama3.gguf");
    CliRun r = chat(model, "-c 1024 -n 6 --verbose", "Hello there\nAnd again\nOnce more\n");
    ASSERT_EQ(r.status, 0) << r.err;
    std::vector<Turn> turns = turns_of(r.err);
    ASSERT_EQ(turns.size(), 3u) << r.err;
    EXPECT_LT(turns[2].evaluated, turns[2].prompt / 2);
    EXPECT_EQ(r.err.find("using chatml"), std::string::npos);
}

TEST_F(ChatCli, StopStringEndsTheReplyAndIsNotPrinted) {
    CHAT_MODEL_OR_SKIP(model, lamina::testing::kChatmlTemplate, "chatml.gguf");
    // Greedy, so a second run repeats the first one's reply up to the stop string.
    CliRun full = chat(model, "-n 24", "Say something\n");
    ASSERT_EQ(full.status, 0) << full.err;
    const std::string reply = full.out.substr(0, full.out.size() - 1);
    ASSERT_GT(reply.size(), 12u) << reply;
    // A stop string from the middle of the reply, starting at a character boundary.
    size_t at = reply.size() / 2;
    while (at > 0 && ((unsigned char)reply[at] & 0xC0) == 0x80) --at;
    const std::string stop = reply.substr(at, 3);
    ASSERT_EQ(stop.find('\''), std::string::npos);
    CliRun cut =
        chat(model, "-n 24 --verbose --stop '" + stop + "' --stop 'never-said'", "Say something\n");
    ASSERT_EQ(cut.status, 0) << cut.err;
    EXPECT_EQ(cut.out, reply.substr(0, reply.find(stop)) + "\n");
    std::vector<Turn> turns = turns_of(cut.err);
    ASSERT_EQ(turns.size(), 1u) << cut.err;
    EXPECT_EQ(turns[0].stop, "stop string");
}

TEST_F(ChatCli, FullContextDropsTheOldestTurnsWithANotice) {
    CHAT_MODEL_OR_SKIP(model, lamina::testing::kChatmlTemplate, "chatml.gguf");
    std::string input;
    for (int i = 0; i < 12; ++i) input += "Message number " + std::to_string(i) + " here\n";
    input += "/save " + dir_.file("after.json") + "\n";
    CliRun r = chat(model, "-c 128 -n 8 --verbose -sys 'Keep me.'", input);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(lines_of(r.out).size(), 12u) << r.out;
    EXPECT_NE(r.err.find("context full: dropped the"), std::string::npos) << r.err;
    auto saved = nlohmann::ordered_json::parse(lamina::testing::slurp(dir_.file("after.json")));
    ASSERT_TRUE(saved.is_array());
    EXPECT_EQ(saved[0]["role"], "system");
    EXPECT_EQ(saved[0]["content"], "Keep me.");
    EXPECT_NE(saved[1]["content"], "Message number 0 here");  // the oldest turn is gone
    EXPECT_EQ(saved[saved.size() - 2]["content"], "Message number 11 here");
    for (const Turn& t : turns_of(r.err)) EXPECT_LE(t.prompt, 128 - 8);
}

TEST_F(ChatCli, MessageLongerThanTheContextIsRefused) {
    CHAT_MODEL_OR_SKIP(model, lamina::testing::kChatmlTemplate, "chatml.gguf");
    std::string longline;
    for (int i = 0; i < 150; ++i) longline += "word ";
    CliRun r = chat(model, "-c 96 -n 8", "Hi\n" + longline + "\nStill here?\n");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("the message is too long:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("(use a larger -c)"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("context full"), std::string::npos) << r.err;  // nothing dropped for it
    EXPECT_EQ(lines_of(r.out).size(), 2u) << r.out;  // the chat answered before and after
}

TEST_F(ChatCli, SaveLoadRoundTripAndRegen) {
    CHAT_MODEL_OR_SKIP(model, lamina::testing::kChatmlTemplate, "chatml.gguf");
    const std::string a = dir_.file("a.json"), b = dir_.file("b.json"), c = dir_.file("c.json");
    CliRun r = chat(model, "-n 6 -sys 'System text' --temp 0.9",
                    "hello\n/save " + a + "\n/clear\n/save " + c + "\n/load " + a + "\n/save " + b +
                        "\n/regen\n/save " + c + "\n/load " + dir_.file("missing.json") +
                        "\n/bogus\n/exit\nnot read\n");
    ASSERT_EQ(r.status, 0) << r.err;
    const std::string saved = lamina::testing::slurp(a);
    EXPECT_EQ(saved, lamina::testing::slurp(b));
    auto j = nlohmann::ordered_json::parse(saved);
    ASSERT_EQ(j.size(), 3u) << saved;
    EXPECT_EQ(j[0], (nlohmann::ordered_json{{"role", "system"}, {"content", "System text"}}));
    EXPECT_EQ(j[1], (nlohmann::ordered_json{{"role", "user"}, {"content", "hello"}}));
    EXPECT_EQ(j[2]["role"], "assistant");
    // /regen replaced the reply (sampled at temperature 0.9, so with other words).
    auto regen = nlohmann::ordered_json::parse(lamina::testing::slurp(c));
    ASSERT_EQ(regen.size(), 3u);
    EXPECT_EQ(regen[1]["content"], "hello");
    EXPECT_EQ(lines_of(r.out).size(), 2u) << r.out;  // "hello" and /regen; nothing after /exit
    EXPECT_NE(r.err.find("cannot read '" + dir_.file("missing.json") + "'"), std::string::npos);
    EXPECT_NE(r.err.find("unknown command /bogus"), std::string::npos) << r.err;
}

TEST_F(ChatCli, ThinkingIsHiddenOrShownAndStoredAsReasoning) {
    // A template that opens the thinking block for the model, as DeepSeek R1's and Qwen 3's do:
    // the noise reply never closes it, so all of it is reasoning.
    const std::string thinking = std::string(lamina::testing::kChatmlTemplate) +
                                 "{% if add_generation_prompt %}{{ '<think>\\n' }}{% endif %}";
    CHAT_MODEL_OR_SKIP(model, thinking, "thinking.gguf");
    const std::string hidden = dir_.file("hidden.json"), shown = dir_.file("shown.json");
    CliRun h = chat(model, "-n 8 --reasoning hide", "Think first\n/save " + hidden + "\n");
    CliRun s = chat(model, "-n 8 --reasoning show", "Think first\n/save " + shown + "\n");
    ASSERT_EQ(h.status, 0) << h.err;
    ASSERT_EQ(s.status, 0) << s.err;
    EXPECT_EQ(h.out, "\n");  // nothing but the reply's end of line
    auto jh = nlohmann::ordered_json::parse(lamina::testing::slurp(hidden));
    auto js = nlohmann::ordered_json::parse(lamina::testing::slurp(shown));
    ASSERT_EQ(jh.size(), 2u);
    EXPECT_EQ(jh[1]["content"], "");
    const std::string reasoning = jh[1].value("reasoning_content", "");
    EXPECT_FALSE(reasoning.empty());
    EXPECT_EQ(js[1], jh[1]);  // greedy: the same reply either way
    EXPECT_NE(s.out.find(reasoning), std::string::npos) << s.out;
    EXPECT_EQ(s.out.find("\x1b["), std::string::npos);  // piped: no terminal escapes
}

TEST_F(ChatCli, ReadSendsAFileAndSystemSetsThePrompt) {
    CHAT_MODEL_OR_SKIP(model, lamina::testing::kChatmlTemplate, "chatml.gguf");
    const std::string text = dir_.file("question.txt"), saved = dir_.file("s.json");
    std::ofstream(text) << "A question\nover two lines, caf\xC3\xA9.";
    CliRun r =
        chat(model, "-n 4 -sys first", "/system second\n/read " + text + "\n/save " + saved + "\n");
    ASSERT_EQ(r.status, 0) << r.err;
    auto j = nlohmann::ordered_json::parse(lamina::testing::slurp(saved));
    ASSERT_EQ(j.size(), 3u);
    EXPECT_EQ(j[0]["content"], "second");
    EXPECT_EQ(j[1]["content"], "A question\nover two lines, caf\xC3\xA9.");
    EXPECT_EQ(lines_of(r.out).size(), 1u) << r.out;
}

TEST_F(ChatCli, ContinuedAndMultilineMessages) {
    CHAT_MODEL_OR_SKIP(model, lamina::testing::kChatmlTemplate, "chatml.gguf");
    const std::string a = dir_.file("a.json"), b = dir_.file("b.json");
    // A trailing backslash continues a message on the next line.
    CliRun r = chat(model, "-n 4", "first \\\nsecond\n/save " + a + "\n");
    ASSERT_EQ(r.status, 0) << r.err;
    auto ja = nlohmann::ordered_json::parse(lamina::testing::slurp(a));
    ASSERT_EQ(ja.size(), 2u);
    EXPECT_EQ(ja[0]["content"], "first \nsecond");
    // With --multiline a message runs to an empty line.
    r = chat(model, "-n 4 --multiline", "one\ntwo\n\nthree\n\n/save " + b + "\n");
    ASSERT_EQ(r.status, 0) << r.err;
    auto jb = nlohmann::ordered_json::parse(lamina::testing::slurp(b));
    ASSERT_EQ(jb.size(), 4u);
    EXPECT_EQ(jb[0]["content"], "one\ntwo");
    EXPECT_EQ(jb[2]["content"], "three");
}

TEST_F(ChatCli, TemplateErrorsAreClear) {
    CHAT_MODEL_OR_SKIP(model, "", "plain.gguf");
    const std::string bad = dir_.file("bad.jinja");
    std::ofstream(bad) << "{% for m in messages %}{{ m.content }";
    CliRun r = chat(model, "--chat-template-file " + bad, "hi\n");
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.err.rfind("lamina chat: chat template (template file " + bad + "): ", 0), 0u)
        << r.err;
    EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;

    r = chat(model, "--chat-template-file " + dir_.file("absent.jinja"), "hi\n");
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.err, "lamina chat: chat template file " + dir_.file("absent.jinja") +
                         ": cannot open (No such file or directory)\n");

    r = chat(model, "--chat-template no-such-name", "hi\n");
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("unknown chat template 'no-such-name' (built-in: "), std::string::npos);

    // A real template that refuses a system prompt says so at startup, in its own words.
    const std::string gemma =
        lamina::testing::shared_file("chat/templates/google-gemma-2-2b-it.jinja");
    if (!gemma.empty()) {
        r = chat(model, "--chat-template-file " + gemma + " -sys 'Be brief'", "hi\n");
        EXPECT_EQ(r.status, 1);
        EXPECT_EQ(r.err, "lamina chat: chat template (template file " + gemma +
                             "): System role not supported\n");
    }

    // A GGUF without a template falls back to chatml, saying so once.
    r = chat(model, "-n 4", "hi\n");
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("the model has no chat template; using chatml"), std::string::npos);
}

TEST_F(ChatCli, RunChatRendersOneUserTurn) {
    CHAT_MODEL_OR_SKIP(model, lamina::testing::kChatmlTemplate, "chatml.gguf");
    // The same prompt written out by hand in ChatML, with special tokens parsed.
    const std::string prompt_file = dir_.file("prompt.txt");
    std::ofstream(prompt_file) << "<|im_start|>system\nBe kind<|im_end|>\n"
                                  "<|im_start|>user\nWhat is rain?<|im_end|>\n"
                                  "<|im_start|>assistant\n";
    CliRun by_hand = run_lamina(
        "run -m " + model + " -t 2 --temp 0 -n 8 --no-display-prompt --special -f " + prompt_file,
        "", dir_);
    CliRun chat_run = run_lamina(
        "run -m " + model + " -t 2 --temp 0 -n 8 -cnv -sys 'Be kind' -p 'What is rain?'", "", dir_);
    ASSERT_EQ(by_hand.status, 0) << by_hand.err;
    ASSERT_EQ(chat_run.status, 0) << chat_run.err;
    EXPECT_EQ(chat_run.out, by_hand.out);
    CliRun no_chat = run_lamina("run -m " + model + " -sys 'Be kind' -p 'What is rain?'", "", dir_);
    EXPECT_EQ(no_chat.status, 2);
    EXPECT_EQ(no_chat.err, "lamina run: -sys and the chat template flags need --chat\n");
    // Raw completion stays the default.
    CliRun raw = run_lamina("run -m " + model + " -t 2 --temp 0 -n 8 -p 'What is rain?'", "", dir_);
    EXPECT_NE(raw.out, chat_run.out);
}

}  // namespace
}  // namespace lamina
