// Per-family registration hooks: each quant_*.cpp file adds the reference codecs of its formats.
#pragma once

#include <functional>

#include "quant/type_traits.h"

namespace lamina::quant {

using AddCodecs = std::function<void(DType, const TypeCodecs&)>;

void register_plain_formats(const AddCodecs& add);   // F32, F16, BF16, I32 (to float only)
void register_q8_formats(const AddCodecs& add);      // Q8_0, Q8_1, Q8_K
void register_legacy_formats(const AddCodecs& add);  // Q4_0, Q4_1, Q5_0, Q5_1
void register_k4_formats(const AddCodecs& add);      // Q4_K, Q5_K, Q6_K
void register_k23_formats(const AddCodecs& add);     // Q2_K, Q3_K
void register_iq4_formats(const AddCodecs& add);     // IQ4_NL, IQ4_XS

}  // namespace lamina::quant
