// lamina info: prints a GGUF file's metadata and tensor table.
#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "gguf/gguf_info.h"

namespace lamina::cli {

int cmd_info(int argc, char** argv) {
    ArgParser p("info", "FILE.gguf",
                "Prints a GGUF file's metadata (long arrays abbreviated) and tensor table.");
    switch (p.parse(argc, argv)) {
        case ArgParser::Result::Help:
            return 0;
        case ArgParser::Result::Error:
            return 2;
        case ArgParser::Result::Ok:
            break;
    }
    if (p.positional().size() != 1) {
        std::fprintf(stderr, "lamina info: expected one GGUF file (see --help)\n");
        return 2;
    }
    auto gguf = GgufReader::open(p.positional()[0]);
    if (!gguf) {
        std::fprintf(stderr, "lamina info: %s\n", gguf.error().c_str());
        return 1;
    }
    print_gguf_info(**gguf, stdout);
    return 0;
}

}  // namespace lamina::cli
