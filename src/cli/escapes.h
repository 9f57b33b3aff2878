// Backslash escapes in prompts given on the command line (-e / --escape, as llama.cpp).
#pragma once

#include <string>

namespace lamina::cli {

// Turns \n \r \t \a \b \f \v \' \" \? \\ and \xHH (one or two hex digits) into the characters
// they name; a backslash before anything else (or at the end) stays as written.
std::string process_escapes(const std::string& text);

}  // namespace lamina::cli
