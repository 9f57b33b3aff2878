#include "quant/quant_formats.h"

#include "quant/quant_families.h"

namespace lamina {

void register_quant_formats(const std::function<void(const TypeTraits&)>& add) {
    quant::register_q8_formats(add);
    quant::register_legacy_formats(add);
    quant::register_k4_formats(add);
    quant::register_k23_formats(add);
    quant::register_iq4_formats(add);
}

}  // namespace lamina
