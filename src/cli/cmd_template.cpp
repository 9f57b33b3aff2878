// lamina template: renders a conversation with a chat template and prints the exact prompt text.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "chat/chat_template.h"
#include "cli/args.h"
#include "cli/chat_template_choice.h"
#include "cli/commands.h"
#include "gguf/gguf_reader.h"

namespace lamina::cli {
namespace {

constexpr const char* kName = "lamina template";

// Reads a whole file; "-" means standard input, so a script can pipe the messages in.
bool read_file(const std::string& path, std::string* out) {
    if (path == "-") {
        std::stringstream ss;
        ss << std::cin.rdbuf();
        *out = ss.str();
        return !std::cin.bad();
    }
    std::ifstream f(path, std::ios::binary);
    if (!f) return false;
    std::stringstream ss;
    ss << f.rdbuf();
    *out = ss.str();
    return !f.bad();
}

// Whether option `name` appears on the command line (as "NAME VALUE" or "NAME=VALUE"), so that
// an explicitly empty --bos "" can be told from an absent one.
bool option_given(int argc, char** argv, const char* name) {
    size_t len = std::strlen(name);
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], name) == 0 ||
            (std::strncmp(argv[i], name, len) == 0 && argv[i][len] == '=')) {
            return true;
        }
    }
    return false;
}

// Reads a JSON file; prints the problem and returns false when it is missing or malformed.
bool read_json_file(const std::string& path, const char* what, nlohmann::ordered_json* out) {
    std::string text;
    if (!read_file(path, &text)) {
        std::fprintf(stderr, "%s: cannot read %s file %s\n", kName, what, path.c_str());
        return false;
    }
    *out = nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (out->is_discarded()) {
        std::fprintf(stderr, "%s: %s file %s is not valid JSON\n", kName, what, path.c_str());
        return false;
    }
    return true;
}

bool valid_messages(const nlohmann::ordered_json& messages, const std::string& path) {
    if (!messages.is_array()) {
        std::fprintf(stderr, "%s: %s must hold a JSON list of messages\n", kName, path.c_str());
        return false;
    }
    for (size_t i = 0; i < messages.size(); ++i) {
        const auto& m = messages[i];
        if (!m.is_object() || !m.contains("role") || !m["role"].is_string()) {
            std::fprintf(stderr, "%s: message %zu of %s is not an object with a string \"role\"\n",
                         kName, i, path.c_str());
            return false;
        }
    }
    return true;
}

}  // namespace

int cmd_template(int argc, char** argv) {
    std::string model, template_file, template_name, messages_path, tools_path, bos, eos;
    std::vector<std::string> vars;
    bool no_generation_prompt = false, list = false;
    ArgParser p(
        "template",
        "(-m MODEL.gguf | --chat-template-file FILE | --chat-template NAME) --messages FILE "
        "[options]",
        "Renders a conversation (OpenAI-style JSON messages) with a chat template and prints the\n"
        "exact prompt text, without a newline added. With -m the model's own template is used "
        "(or,\n"
        "when it has none, the built-in its special tokens point to), and its BOS/EOS texts;\n"
        "--chat-template or --chat-template-file replace the model's template.");
    p.add_string("-m,--model", &model, "FILE", "GGUF whose template and BOS/EOS tokens to use");
    p.add_string("--chat-template-file", &template_file, "FILE", "Jinja chat template file");
    p.add_string("--chat-template", &template_name, "NAME",
                 "built-in template (see --list-chat-templates), or a template text");
    p.add_string("--messages", &messages_path, "FILE",
                 "JSON list of {\"role\", \"content\", ...} messages (- reads stdin)");
    p.add_string("--tools", &tools_path, "FILE",
                 "JSON list of tool definitions (the template's `tools`)");
    p.add_flag("--no-generation-prompt", &no_generation_prompt,
               "do not open the assistant's turn at the end");
    p.add_string("--bos", &bos, "TEXT", "bos_token text (default: the model's, or empty)");
    p.add_string("--eos", &eos, "TEXT", "eos_token text (default: the model's, or empty)");
    p.add_strings("--var", &vars, "NAME=JSON",
                  "extra template variable, e.g. enable_thinking=false (repeatable)");
    p.add_flag("--list-chat-templates", &list, "print the built-in template names and exit");
    switch (p.parse(argc, argv)) {
        case ArgParser::Result::Help:
            return 0;
        case ArgParser::Result::Error:
            return 2;
        case ArgParser::Result::Ok:
            break;
    }
    if (!p.positional().empty()) {
        std::fprintf(stderr, "%s: unexpected argument '%s'\n", kName, p.positional()[0].c_str());
        return 2;
    }
    if (list) {
        for (std::string_view name : chat::builtin_template_names()) {
            std::printf("%.*s\n", static_cast<int>(name.size()), name.data());
        }
        return 0;
    }
    if (!template_file.empty() && !template_name.empty()) {
        std::fprintf(stderr, "%s: give either --chat-template or --chat-template-file, not both\n",
                     kName);
        return 2;
    }
    if (model.empty() && template_file.empty() && template_name.empty()) {
        std::fprintf(stderr,
                     "%s: give a template: -m MODEL.gguf, --chat-template-file FILE or "
                     "--chat-template NAME\n",
                     kName);
        return 2;
    }
    if (messages_path.empty()) {
        std::fprintf(stderr, "%s: give the conversation with --messages FILE\n", kName);
        return 2;
    }

    chat::ChatTemplateInputs inputs;
    if (!read_json_file(messages_path, "messages", &inputs.messages) ||
        !valid_messages(inputs.messages, messages_path)) {
        return 2;
    }
    if (!tools_path.empty()) {
        if (!read_json_file(tools_path, "tools", &inputs.tools)) return 2;
        if (!inputs.tools.is_array()) {
            std::fprintf(stderr, "%s: %s must hold a JSON list of tools\n", kName,
                         tools_path.c_str());
            return 2;
        }
    }
    for (const std::string& var : vars) {
        size_t eq = var.find('=');
        if (eq == std::string::npos || eq == 0) {
            std::fprintf(stderr, "%s: --var expects NAME=JSON, got '%s'\n", kName, var.c_str());
            return 2;
        }
        auto value = nlohmann::ordered_json::parse(var.substr(eq + 1), nullptr, false);
        if (value.is_discarded()) {
            std::fprintf(stderr,
                         "%s: --var %s: the value is not JSON (quote strings: NAME='\"text\"')\n",
                         kName, var.c_str());
            return 2;
        }
        inputs.extra_vars[var.substr(0, eq)] = value;
    }
    inputs.add_generation_prompt = !no_generation_prompt;

    Expected<ChatTemplateChoice> choice = Status::error("no template");
    if (!model.empty()) {
        auto gguf = GgufReader::open(model);
        if (!gguf) {
            std::fprintf(stderr, "%s: %s\n", kName, gguf.error().c_str());
            return 1;
        }
        SpecialTokenTexts special = special_token_texts(**gguf);
        inputs.bos_token = special.bos;
        inputs.eos_token = special.eos;
        if (template_file.empty() && template_name.empty()) choice = chat_template_of_model(**gguf);
    }
    if (!template_file.empty()) choice = chat_template_from_file(template_file);
    if (!template_name.empty()) choice = chat_template_by_name(template_name);
    if (!choice) {
        std::fprintf(stderr, "%s: %s\n", kName, choice.error().c_str());
        return template_name.empty() && template_file.empty() ? 1 : 2;
    }
    if (choice->guessed) std::fprintf(stderr, "%s: using %s\n", kName, choice->description.c_str());
    if (option_given(argc, argv, "--bos")) inputs.bos_token = bos;
    if (option_given(argc, argv, "--eos")) inputs.eos_token = eos;

    chat::RenderOutcome out = chat::render_chat_template(choice->source, inputs);
    if (!out.ok) {
        std::fprintf(stderr, "error: %s\n", out.error.c_str());
        return 1;
    }
    std::fwrite(out.text.data(), 1, out.text.size(), stdout);
    return 0;
}

}  // namespace lamina::cli
