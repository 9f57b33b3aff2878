// lamina tokenize: shows how a model's tokenizer splits a text (reads only the GGUF metadata).
#include <cstdio>
#include <string>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/model_path.h"
#include "cli/text_file.h"
#include "gguf/gguf_reader.h"
#include "tokenizer/tokenizer.h"

namespace lamina::cli {

int cmd_tokenize(int argc, char** argv) {
    std::string model, prompt, prompt_file;
    bool ids_only = false, no_bos = false, special = false;
    ArgParser p("tokenize", "-m MODEL.gguf (-p TEXT | -f FILE) [options]",
                "Prints the tokens of a text, one 'id<TAB>'piece'' per line.");
    p.add_string("-m,--model", &model, "FILE", "model or vocabulary GGUF file");
    p.add_string("-p,--prompt", &prompt, "TEXT", "text to tokenize");
    p.add_string("-f,--file", &prompt_file, "FILE", "tokenize the bytes of this file");
    p.add_flag("--ids", &ids_only, "print only the ids, as [1, 2, 3]");
    p.add_flag("--no-bos", &no_bos, "do not add the BOS token");
    p.add_flag("--special", &special, "parse special tokens (<|im_start|>, ...) in the text");
    switch (p.parse(argc, argv)) {
        case ArgParser::Result::Help:
            return 0;
        case ArgParser::Result::Error:
            return 2;
        case ArgParser::Result::Ok:
            break;
    }
    if (!p.positional().empty()) {
        std::fprintf(stderr, "lamina tokenize: unexpected argument '%s'\n",
                     p.positional()[0].c_str());
        return 2;
    }
    if (prompt.empty() && prompt_file.empty()) {
        std::fprintf(stderr, "lamina tokenize: give the text with -p TEXT or -f FILE\n");
        return 2;
    }
    if (!prompt.empty() && !prompt_file.empty()) {
        std::fprintf(stderr, "lamina tokenize: give either -p or -f, not both\n");
        return 2;
    }
    if (!prompt_file.empty()) {
        if (Status s = read_text_file(prompt_file, &prompt); !s) {
            std::fprintf(stderr, "lamina tokenize: %s\n", s.message().c_str());
            return 1;
        }
    }
    if (model.empty()) model = default_model_path();
    if (model.empty()) {
        std::fprintf(stderr, "lamina tokenize: no model given (-m FILE)\n");
        return 2;
    }
    auto gguf = GgufReader::open(model);
    if (!gguf) {
        std::fprintf(stderr, "lamina tokenize: %s\n", gguf.error().c_str());
        return 1;
    }
    auto tok = Tokenizer::from_gguf(**gguf);
    if (!tok) {
        std::fprintf(stderr, "lamina tokenize: %s\n", tok.error().c_str());
        return 1;
    }
    const std::vector<TokenId> ids = (*tok)->encode(prompt, !no_bos, special);
    if (ids_only) {
        std::string line = "[";
        for (size_t i = 0; i < ids.size(); ++i) {
            if (i) line += ", ";
            line += std::to_string(ids[i]);
        }
        line += "]\n";
        std::fwrite(line.data(), 1, line.size(), stdout);
        return 0;
    }
    for (TokenId id : ids) {
        const std::string piece = (*tok)->token_to_piece(id, /*render_special=*/true);
        std::printf("%d\t'", id);
        std::fwrite(piece.data(), 1, piece.size(), stdout);
        std::printf("'\n");
    }
    return 0;
}

}  // namespace lamina::cli
