// Which model file a command loads when -m is not given.
#pragma once

#include <string>

#include "core/status.h"

namespace lamina::cli {

// -m when given; else $LAMINA_MODEL, which must then name an existing file (a model that was asked
// for and is missing is an error, never a silent fall-back); else the bundled model. An error when
// there is none.
Expected<std::string> resolve_model_path(const std::string& given);

}  // namespace lamina::cli
