// Test helper: copies of the rand-fix256 fixture with a chat template, and running `lamina`.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "gguf/gguf_reader.h"
#include "gguf/gguf_writer.h"
#include "testing/temp_dir.h"

namespace lamina::testing {

// ChatML as Qwen and many others write it (the format is public; the model's words are noise).
inline constexpr const char* kChatmlTemplate =
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

// The shape of Llama 3's template: BOS, header-wrapped roles, <|eot_id|> after each message.
inline constexpr const char* kLlama3Template =
    "{{ bos_token }}{% for message in messages %}"
    "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + "
    "message['content'] | trim + '<|eot_id|>' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}"
    "{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

// Writes `source`'s metadata and tensors to `dest` with tokenizer.chat_template set (when
// `chat_template` is not empty). Returns an error message, or "" on success.
inline std::string write_with_chat_template(const std::string& source, const std::string& dest,
                                            const std::string& chat_template) {
    auto reader = GgufReader::open(source);
    if (!reader) return reader.error();
    GgufWriter w;
    w.set_alignment((*reader)->alignment());
    for (const GgufKv& kv : (*reader)->metadata()) w.set(kv.key, kv.value);
    if (!chat_template.empty())
        w.set("tokenizer.chat_template", GgufValue::make_string(chat_template));
    for (const GgufTensorInfo& t : (*reader)->tensors())
        w.add_tensor(t.name, t.type, std::vector<int64_t>(t.ne, t.ne + t.n_dims),
                     (*reader)->tensor_data(t));
    Status s = w.write(dest);
    return s ? std::string() : s.message();
}

inline std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

struct CliRun {
    int status;
    std::string out, err;
};

// Runs `lamina ARGS` with `input` as its standard input (a file, so not a terminal).
inline CliRun run_lamina(const std::string& args, const std::string& input, const TempDir& dir) {
    const std::string in = dir.file("stdin"), out = dir.file("stdout"), err = dir.file("stderr");
    std::ofstream(in, std::ios::binary) << input;
    const std::string cmd =
        std::string(LAMINA_CLI_PATH) + " " + args + " <" + in + " >" + out + " 2>" + err;
    const int rc = std::system(cmd.c_str());
    return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, slurp(out), slurp(err)};
}

}  // namespace lamina::testing
