#include "quant/quant_formats.h"

namespace lamina {

void register_quant_formats(const std::function<void(const TypeTraits&)>& add) {
    (void)add;  // Quantized formats arrive with their reference kernels.
}

}  // namespace lamina
