// lamina convert: turns a llama2.c checkpoint and tokenizer into a GGUF file.
#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "tools/llama2c_convert.h"

namespace lamina::cli {

int cmd_convert(int argc, char** argv) {
    std::string model_bin, tokenizer_bin, out, type = "f16", name = "llama2c";
    bool no_space_prefix = false;
    ArgParser p("convert",
                "--llama2c MODEL.bin --tokenizer TOKENIZER.bin -o OUT.gguf [--type f16|f32]",
                "Converts a llama2.c checkpoint (legacy .bin, version 0) and its tokenizer.bin "
                "into a llama GGUF with full tokenizer metadata.");
    p.add_string("--llama2c", &model_bin, "FILE", "llama2.c checkpoint (.bin, version 0)");
    p.add_string("--tokenizer", &tokenizer_bin, "FILE", "llama2.c tokenizer.bin");
    p.add_string("-o,--output", &out, "FILE", "GGUF to write");
    p.add_string("--type", &type, "T", "weight type: f16 (default) or f32");
    p.add_string("--name", &name, "NAME", "general.name (default llama2c)");
    p.add_flag("--no-space-prefix", &no_space_prefix,
               "the sentencepiece model was trained without add_dummy_prefix");
    switch (p.parse(argc, argv)) {
        case ArgParser::Result::Help:
            return 0;
        case ArgParser::Result::Error:
            return 2;
        case ArgParser::Result::Ok:
            break;
    }
    if (!p.positional().empty()) {
        std::fprintf(stderr, "lamina convert: unexpected argument '%s'\n",
                     p.positional()[0].c_str());
        return 2;
    }
    if (model_bin.empty() || tokenizer_bin.empty() || out.empty()) {
        std::fprintf(stderr, "lamina convert: --llama2c, --tokenizer and -o are all required\n");
        return 2;
    }
    Llama2cConvertOptions opt;
    if (type == "f16") {
        opt.type = DType::F16;
    } else if (type == "f32") {
        opt.type = DType::F32;
    } else {
        std::fprintf(stderr, "lamina convert: --type must be f16 or f32, not '%s'\n", type.c_str());
        return 2;
    }
    opt.add_space_prefix = !no_space_prefix;
    opt.name = name;
    if (Status s = convert_llama2c(model_bin, tokenizer_bin, out, opt); !s) {
        std::fprintf(stderr, "lamina convert: %s\n", s.message().c_str());
        return 1;
    }
    std::fprintf(stderr, "lamina convert: wrote %s\n", out.c_str());
    return 0;
}

}  // namespace lamina::cli
