// lamina template, run as a process: built-in, file and model templates render the exact
// prompt (expected texts written from the formats), template errors exit 1 with "error: ...",
// bad arguments exit 2.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "gguf/gguf_writer.h"
#include "testing/temp_dir.h"

namespace lamina {
namespace {

struct CliResult {
    int rc = -1;
    std::string out;
    std::string err;
};

CliResult run_template(const testing::TempDir& dir, const std::string& args) {
    const std::string err_path = dir.file("stderr.txt");
    const std::string cmd = std::string(LAMINA_CLI_PATH) + " template " + args + " 2>" + err_path;
    CliResult r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return r;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    const int status = ::pclose(p);
    r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream e(err_path);
    std::stringstream ss;
    ss << e.rdbuf();
    r.err = ss.str();
    return r;
}

std::string write_file(const testing::TempDir& dir, const std::string& name,
                       const std::string& text) {
    const std::string path = dir.file(name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

constexpr const char* kMessages =
    R"([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ünïcode"}])";

// A metadata-only GGUF with a vocabulary (and, if given, a chat template).
std::string write_vocab_gguf(const testing::TempDir& dir, const std::string& name,
                             const std::vector<std::string>& tokens,
                             const std::string& chat_template) {
    GgufWriter w;
    w.set("general.architecture", GgufValue::make_string("llama"));
    w.set("tokenizer.ggml.model", GgufValue::make_string("gpt2"));
    w.set("tokenizer.ggml.tokens", GgufValue::make_string_array(tokens));
    w.set("tokenizer.ggml.bos_token_id", GgufValue::make_u32(1));
    w.set("tokenizer.ggml.eos_token_id", GgufValue::make_u32(2));
    if (!chat_template.empty())
        w.set("tokenizer.chat_template", GgufValue::make_string(chat_template));
    const std::string path = dir.file(name);
    EXPECT_TRUE(w.write(path).is_ok());
    return path;
}

TEST(ChatCmdTemplate, BuiltinChatmlPrintsTheExactPrompt) {
    testing::TempDir dir;
    const std::string messages = write_file(dir, "m.json", kMessages);
    CliResult r = run_template(dir, "--chat-template chatml --messages " + messages);
    EXPECT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(r.out,
              "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi ünïcode<|im_end|>\n"
              "<|im_start|>assistant\n");
    r = run_template(dir,
                     "--chat-template chatml --no-generation-prompt --messages - < " + messages);
    EXPECT_EQ(r.out,
              "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi ünïcode<|im_end|>\n");
    // An inline template instead of a name, as llama.cpp's --chat-template accepts.
    r = run_template(
        dir,
        "--chat-template '{{ messages|length }}:{{ messages[1].content }}' --messages " + messages);
    EXPECT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(r.out, "2:Hi ünïcode");
}

TEST(ChatCmdTemplate, TemplateFileWithVariablesToolsAndTokens) {
    testing::TempDir dir;
    const std::string messages = write_file(dir, "m.json", kMessages);
    const std::string tools =
        write_file(dir, "t.json", R"([{"type": "function", "function": {"name": "f"}}])");
    const std::string tpl = write_file(
        dir, "t.jinja",
        "{{ bos_token }}{% for m in messages %}[{{ m.role }}:{{ m.content }}]{% endfor %}"
        "{% if tools is defined %}{{ tools[0].function.name }}{% endif %}"
        "{{ enable_thinking }}{{ mode }}{% if add_generation_prompt %}>{% endif %}{{ eos_token "
        "}}\n");
    CliResult r = run_template(
        dir, "--chat-template-file " + tpl + " --messages " + messages + " --tools " + tools +
                 " --var enable_thinking=false --var 'mode=\"x\"' --bos '<s>' --eos '</s>'");
    EXPECT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(r.out, "<s>[system:Be brief.][user:Hi ünïcode]fFalsex></s>");
}

TEST(ChatCmdTemplate, ModelTemplateAndTokenTexts) {
    testing::TempDir dir;
    const std::string messages = write_file(dir, "m.json", kMessages);
    const std::string model =
        write_vocab_gguf(dir, "with.gguf", {"<unk>", "<|begin|>", "<|end|>", "a"},
                         "{{ bos_token }}{{ messages|length }}{{ eos_token }}");
    CliResult r = run_template(dir, "-m " + model + " --messages " + messages);
    EXPECT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(r.out, "<|begin|>2<|end|>");
    // --bos overrides the model's text, even with an empty one.
    r = run_template(dir, "-m " + model + " --bos '' --messages " + messages);
    EXPECT_EQ(r.out, "2<|end|>");
    // A template flag replaces the model's template but keeps its tokens.
    r = run_template(
        dir, "-m " + model + " --chat-template phi3 --no-generation-prompt --messages " + messages);
    EXPECT_EQ(r.out, "<|system|>\nBe brief.<|end|>\n<|user|>\nHi ünïcode<|end|>\n");
}

TEST(ChatCmdTemplate, ModelWithoutTemplateFallsBackOrFailsClearly) {
    testing::TempDir dir;
    const std::string messages =
        write_file(dir, "m.json", R"([{"role": "user", "content": "Hi"}])");
    const std::string chatml =
        write_vocab_gguf(dir, "chatml.gguf", {"<unk>", "<s>", "<|im_end|>", "<|im_start|>"}, "");
    CliResult r = run_template(dir, "-m " + chatml + " --messages " + messages);
    EXPECT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(r.out, "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    EXPECT_NE(r.err.find("chatml"), std::string::npos);
    const std::string bare = write_vocab_gguf(dir, "bare.gguf", {"<unk>", "<s>", "</s>", "a"}, "");
    r = run_template(dir, "-m " + bare + " --messages " + messages);
    EXPECT_EQ(r.rc, 1);
    EXPECT_TRUE(r.out.empty());
    EXPECT_NE(r.err.find("--chat-template"), std::string::npos) << r.err;
}

TEST(ChatCmdTemplate, TemplateErrorsExitOneWithTheMessage) {
    testing::TempDir dir;
    const std::string messages = write_file(dir, "m.json", kMessages);
    const std::string raising =
        write_file(dir, "r.jinja", "{{ raise_exception('System role not supported') }}");
    CliResult r = run_template(dir, "--chat-template-file " + raising + " --messages " + messages);
    EXPECT_EQ(r.rc, 1);
    EXPECT_TRUE(r.out.empty());
    EXPECT_EQ(r.err, "error: System role not supported\n");
    const std::string broken = write_file(dir, "b.jinja", "ok\n{% if %}");
    r = run_template(dir, "--chat-template-file " + broken + " --messages " + messages);
    EXPECT_EQ(r.rc, 1);
    EXPECT_NE(r.err.find("error: syntax error at line 2"), std::string::npos) << r.err;
}

TEST(ChatCmdTemplate, ListsBuiltinTemplates) {
    testing::TempDir dir;
    CliResult r = run_template(dir, "--list-chat-templates");
    EXPECT_EQ(r.rc, 0);
    EXPECT_EQ(r.out, "chatml\nllama2\nllama3\nmistral\ngemma\nphi3\ndeepseek\n");
}

TEST(ChatCmdTemplate, BadArgumentsExitTwo) {
    testing::TempDir dir;
    const std::string messages = write_file(dir, "m.json", kMessages);
    const std::string not_json = write_file(dir, "bad.json", "[{\"role\": ");
    const std::string no_role = write_file(dir, "norole.json", "[{\"content\": \"x\"}]");
    EXPECT_EQ(run_template(dir, "--chat-template chatml").rc, 2);
    EXPECT_EQ(run_template(dir, "--messages " + messages).rc, 2);
    EXPECT_EQ(run_template(dir, "--chat-template nope --messages " + messages).rc, 2);
    EXPECT_EQ(run_template(dir, "--chat-template chatml --messages " + not_json).rc, 2);
    EXPECT_EQ(run_template(dir, "--chat-template chatml --messages " + no_role).rc, 2);
    EXPECT_EQ(run_template(dir, "--chat-template chatml --messages /nonexistent.json").rc, 2);
    EXPECT_EQ(
        run_template(dir, "--chat-template chatml --messages " + messages + " --var x=notjson").rc,
        2);
    EXPECT_EQ(run_template(dir, "--chat-template chatml --messages " + messages + " --bogus").rc,
              2);
    CliResult r =
        run_template(dir, "--chat-template chatml --chat-template-file x --messages " + messages);
    EXPECT_EQ(r.rc, 2);
    EXPECT_FALSE(r.err.empty());
    EXPECT_EQ(run_template(dir, "-m /nonexistent.gguf --messages " + messages).rc, 1);
}

}  // namespace
}  // namespace lamina
