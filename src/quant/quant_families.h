// Per-family registration hooks: each quant_*.cpp file adds the TypeTraits of its formats.
#pragma once

#include <functional>

#include "core/types.h"

namespace lamina::quant {

using AddTraits = std::function<void(const TypeTraits&)>;

void register_q8_formats(const AddTraits& add);      // Q8_0, Q8_1, Q8_K
void register_legacy_formats(const AddTraits& add);  // Q4_0, Q4_1, Q5_0, Q5_1
void register_k4_formats(const AddTraits& add);      // Q4_K, Q5_K, Q6_K
void register_k23_formats(const AddTraits& add);     // Q2_K, Q3_K
void register_iq4_formats(const AddTraits& add);     // IQ4_NL, IQ4_XS

}  // namespace lamina::quant
