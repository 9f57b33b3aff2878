// Built-in chat templates render a system + user conversation in each model family's published
// prompt format (the expected strings are written from the formats, not from the engine).
#include <gtest/gtest.h>

#include "chat/chat_template.h"

namespace lamina::chat {
namespace {

std::string render_builtin(std::string_view name, const char* bos, const char* eos,
                           bool with_reply = false) {
    auto source = builtin_template(name);
    EXPECT_TRUE(source.has_value()) << name;
    if (!source) return "";
    ChatTemplateInputs inputs;
    inputs.messages = nlohmann::ordered_json::parse(
        R"([{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Hi there"}])");
    if (with_reply) {
        inputs.messages.push_back({{"role", "assistant"}, {"content", "Hello"}});
        inputs.messages.push_back({{"role", "user"}, {"content", "Bye"}});
    }
    inputs.bos_token = bos;
    inputs.eos_token = eos;
    RenderOutcome out = render_chat_template(*source, inputs);
    EXPECT_TRUE(out.ok) << name << ": " << out.error;
    return out.text;
}

TEST(ChatBuiltinTemplates, NamesAreListedAndFound) {
    std::vector<std::string_view> names = builtin_template_names();
    for (const char* expected :
         {"chatml", "llama2", "llama3", "mistral", "gemma", "phi3", "deepseek"}) {
        EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
        EXPECT_TRUE(builtin_template(expected).has_value()) << expected;
    }
    EXPECT_FALSE(builtin_template("no-such-format").has_value());
}

TEST(ChatBuiltinTemplates, Chatml) {
    EXPECT_EQ(render_builtin("chatml", "", "<|im_end|>"),
              "<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHi there<|im_end|>\n"
              "<|im_start|>assistant\n");
}

TEST(ChatBuiltinTemplates, Llama2) {
    EXPECT_EQ(render_builtin("llama2", "<s>", "</s>"),
              "<s>[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nHi there [/INST]");
    EXPECT_EQ(render_builtin("llama2", "<s>", "</s>", true),
              "<s>[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nHi there [/INST] Hello </s><s>[INST] "
              "Bye [/INST]");
}

TEST(ChatBuiltinTemplates, Llama3) {
    EXPECT_EQ(
        render_builtin("llama3", "<|begin_of_text|>", "<|eot_id|>"),
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

TEST(ChatBuiltinTemplates, Mistral) {
    EXPECT_EQ(render_builtin("mistral", "<s>", "</s>"),
              "<s>[INST] You are terse.\n\nHi there [/INST]");
    EXPECT_EQ(render_builtin("mistral", "<s>", "</s>", true),
              "<s>[INST] You are terse.\n\nHi there [/INST]Hello</s>[INST] Bye [/INST]");
}

TEST(ChatBuiltinTemplates, Gemma) {
    EXPECT_EQ(render_builtin("gemma", "<bos>", "<eos>"),
              "<bos><start_of_turn>user\nYou are terse.\n\nHi "
              "there<end_of_turn>\n<start_of_turn>model\n");
}

TEST(ChatBuiltinTemplates, Phi3) {
    EXPECT_EQ(render_builtin("phi3", "<s>", "<|endoftext|>"),
              "<|system|>\nYou are terse.<|end|>\n<|user|>\nHi there<|end|>\n<|assistant|>\n");
}

TEST(ChatBuiltinTemplates, Deepseek) {
    EXPECT_EQ(render_builtin("deepseek", "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", true),
              "<｜begin▁of▁sentence｜>You are terse.<｜User｜>Hi "
              "there<｜Assistant｜>Hello<｜end▁of▁sentence｜>"
              "<｜User｜>Bye<｜Assistant｜>");
}

}  // namespace
}  // namespace lamina::chat
