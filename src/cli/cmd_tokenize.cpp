// lamina tokenize: shows how a model's tokenizer splits a text (reads only the GGUF metadata).
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "cli/model_loading.h"
#include "cli/model_path.h"
#include "cli/options.h"
#include "cli/text_input.h"
#include "gguf/gguf_reader.h"
#include "tokenizer/tokenizer.h"

namespace lamina::cli {

int cmd_tokenize(int argc, char** argv) {
    std::string model;
    TextInput input;
    bool ids_only = false, no_bos = false, special = false;
    const CommandSpec spec{
        "tokenize",
        "[-m MODEL.gguf] (-p TEXT | -f FILE | --stdin) [options]",
        "Prints the tokens of a text, one 'id<TAB>'piece'' per line.",
        {
            {"-m,--model", &model, "FILE",
             "model or vocabulary GGUF file (default: $LAMINA_MODEL, else the bundled model)"},
            {"-p,--prompt", &input.text, "TEXT", "text to tokenize"},
            {"-f,--file", &input.file, "FILE", "tokenize the bytes of this file (- for stdin)"},
            {"--stdin", &input.use_stdin, "tokenize standard input"},
            {"--ids", &ids_only, "print only the ids, as [1, 2, 3]"},
            {"--no-bos", &no_bos, "do not add the BOS token"},
            {"--special", &special, "parse special tokens (<|im_start|>, ...) in the text"},
        }};
    if (auto exit = parse_command_line(spec, argc, argv)) return *exit;
    if (input.text.empty() && input.file.empty() && !input.use_stdin)
        return fail("tokenize", "give the text with -p TEXT, -f FILE or --stdin", 2);
    if (text_sources_conflict(input))
        return fail("tokenize", "give only one of -p, -f and --stdin", 2);
    auto text = read_text_input(input);
    if (!text) return fail("tokenize", text.error());
    auto path = resolve_model_path(model);
    if (!path) return fail("tokenize", path.error(), 2);
    auto gguf = GgufReader::open(*path);
    if (!gguf) return fail("tokenize", gguf.error());
    auto tok = Tokenizer::from_gguf(**gguf);
    if (!tok) return fail("tokenize", tok.error());
    const std::vector<TokenId> ids = (*tok)->encode(*text, !no_bos, special);
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
