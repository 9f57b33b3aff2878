// Registration of the quantized GGUF block formats (Q4_0 ... IQ4_XS) into the type table.
#pragma once

#include <functional>

#include "core/types.h"

namespace lamina {

// Calls add() once for every quantized type whose reference kernels are implemented;
// each entry replaces the size-only placeholder the type table starts with.
void register_quant_formats(const std::function<void(const TypeTraits&)>& add);

}  // namespace lamina
