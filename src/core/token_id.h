// TokenId: a vocabulary entry's integer id, shared by the tokenizer, samplers and runtime.
#pragma once

#include <cstdint>

namespace lamina {

// A plain integer rather than a class: ids index logit rows and vocabulary tables directly.
using TokenId = int32_t;

}  // namespace lamina
