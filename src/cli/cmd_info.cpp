// lamina info: prints a GGUF file's metadata and tensor table.
#include <cstdio>

#include "cli/commands.h"
#include "cli/foreign_format.h"
#include "cli/model_loading.h"
#include "cli/options.h"
#include "gguf/gguf_info.h"

namespace lamina::cli {

int cmd_info(int argc, char** argv) {
    std::vector<std::string> files;
    const CommandSpec spec{"info",
                           "FILE.gguf",
                           "Prints a GGUF file's metadata (long arrays abbreviated) and tensor "
                           "table; general.file_type is named as llama.cpp names it.",
                           {},
                           Positionals{&files, 1, 1}};
    if (auto exit = parse_command_line(spec, argc, argv)) return *exit;
    auto gguf = GgufReader::open(files[0]);
    if (!gguf) {
        if (auto foreign = explain_foreign_format(files[0]))
            return fail("info", files[0] + ": not a GGUF file but " + *foreign);
        return fail("info", gguf.error());
    }
    print_gguf_info(**gguf, stdout);
    return 0;
}

}  // namespace lamina::cli
