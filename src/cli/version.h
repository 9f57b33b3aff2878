// The text of `lamina --version`: what was built, from which commit, and what this CPU runs.
#pragma once

#include <string>

namespace lamina::cli {

// Lines "lamina VERSION (commit COMMIT)", "build: TYPE, COMPILER", "kernels: ISA (CPU features)".
std::string version_text();

}  // namespace lamina::cli
