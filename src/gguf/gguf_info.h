// print_gguf_info: a readable dump of a GGUF file's metadata and tensor table.
#pragma once

#include <cstdio>

#include "gguf/gguf_reader.h"

namespace lamina {

// Metadata values one per line (arrays longer than a few elements abbreviated), then every
// tensor's name, type, shape and size, then totals.
void print_gguf_info(const GgufReader& gguf, FILE* out);

}  // namespace lamina
