// Test helper: runs the built `lamina` binary as a user would, capturing exit code and output.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "testing/temp_dir.h"

namespace lamina::testing {

struct CliResult {
    int status;
    std::string out, err;
};

inline std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// `lamina ARGS` through the shell, with `stdin_text` as standard input (written to a file in
// `dir`; empty: /dev/null) and `env` ("NAME=value ...") prefixed to the command.
inline CliResult run_lamina(const std::string& args, const TempDir& dir,
                            const std::string& stdin_text = "", const std::string& env = "") {
    const std::string out = dir.file("stdout"), err = dir.file("stderr");
    std::string in = "/dev/null";
    if (!stdin_text.empty()) {
        in = dir.file("stdin");
        std::ofstream(in, std::ios::binary) << stdin_text;
    }
    const std::string cmd = env + " " + std::string(LAMINA_CLI_PATH) + " " + args + " >" + out +
                            " 2>" + err + " <" + in;
    const int rc = std::system(cmd.c_str());
    return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, slurp(out), slurp(err)};
}

}  // namespace lamina::testing
