// read_text_file: a prompt or text file read whole, refusing what is not a regular file.
#pragma once

#include <string>

#include "core/status.h"

namespace lamina::cli {

// Fails with "PATH: is a directory" / "PATH: not a regular file" (a FIFO or device would block
// or never end) / "PATH: cannot open (reason)" before reading anything.
Status read_text_file(const std::string& path, std::string* out);

}  // namespace lamina::cli
