// Where the bundled default model lives, for commands run without -m.
#pragma once

#include <string>

namespace lamina::cli {

// The first existing file among $LAMINA_MODEL, the installed/bundled default model next to
// the source tree; "" when there is none.
std::string default_model_path();

}  // namespace lamina::cli
