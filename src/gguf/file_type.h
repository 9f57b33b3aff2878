// general.file_type: llama.cpp's number for a model file's overall weight type, and its name.
#pragma once

#include <cstdint>
#include <string>

namespace lamina {

class GgufReader;

// The name llama.cpp gives a llama_ftype value ("Q4_K - Medium" for 15); values with the
// "guessed" bit (1024) get " (guessed)"; unknown values "unknown file type N".
std::string file_type_name(uint64_t file_type);

// The file's type as named from general.file_type; "" when the key is absent.
std::string file_type_of(const GgufReader& gguf);

}  // namespace lamina
