// The AVX2 activation quantizers, for other AVX2 kernels that build on Q8_0/Q8_K rows
// (bit-identical to the type table's from_float; call only on a CPU with AVX2).
#pragma once

#include <cstdint>

namespace lamina {

void q8_0_from_float_avx2(const float* x, void* dst, int64_t n);
void q8_k_from_float_avx2(const float* x, void* dst, int64_t n);

}  // namespace lamina
