// lamina convert: turns a llama2.c checkpoint and tokenizer into a GGUF file.
#include <cstdio>

#include "cli/commands.h"
#include "cli/model_loading.h"
#include "cli/options.h"
#include "tools/llama2c_convert.h"

namespace lamina::cli {

int cmd_convert(int argc, char** argv) {
    std::string model_bin, tokenizer_bin, out, type = "f16", name = "llama2c";
    bool no_space_prefix = false;
    const CommandSpec spec{
        "convert",
        "--llama2c MODEL.bin --tokenizer TOKENIZER.bin -o OUT.gguf [--type f16|f32]",
        "Converts a llama2.c checkpoint (legacy .bin, version 0) and its tokenizer.bin into a\n"
        "llama GGUF with full tokenizer metadata.",
        {
            {"--llama2c", &model_bin, "FILE", "llama2.c checkpoint (.bin, version 0)"},
            {"--tokenizer", &tokenizer_bin, "FILE", "llama2.c tokenizer.bin"},
            {"-o,--output", &out, "FILE", "GGUF to write"},
            {"--type", &type, "f16|f32", "weight type"},
            {"--name", &name, "NAME", "general.name"},
            {"--no-space-prefix", &no_space_prefix,
             "the sentencepiece model was trained without add_dummy_prefix"},
        }};
    if (auto exit = parse_command_line(spec, argc, argv)) return *exit;
    if (model_bin.empty() || tokenizer_bin.empty() || out.empty())
        return fail("convert", "--llama2c, --tokenizer and -o are all required", 2);
    Llama2cConvertOptions opt;
    opt.type = type == "f32" ? DType::F32 : DType::F16;
    opt.add_space_prefix = !no_space_prefix;
    opt.name = name;
    if (Status s = convert_llama2c(model_bin, tokenizer_bin, out, opt); !s)
        return fail("convert", s.message());
    std::fprintf(stderr, "lamina convert: wrote %s\n", out.c_str());
    return 0;
}

}  // namespace lamina::cli
