// AVX-512 conversions between float rows and quantized blocks: the bodies of
// simd/quant_convert.h at sixteen lanes (compiled with -mavx512f/bw/dq/vl/vnni/bf16). GCC 12
// reports its own AVX-512 intrinsics (which start from _mm512_undefined_*) as "(maybe)
// uninitialized" once inlined; the warning is about the header, not this code.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include "backend/cpu/quant_convert_avx512.h"

#include "backend/cpu/kernels.h"
#include "backend/cpu/simd/quant_convert.h"
#include "backend/cpu/simd/vec_avx512.h"

namespace lamina {

void q8_0_from_float_avx512(const float* x, void* dst, int64_t n) {
    simd::q8_0_from_float<simd::Avx512>(x, dst, n);
}
void q8_k_from_float_avx512(const float* x, void* dst, int64_t n) {
    simd::q8_k_from_float<simd::Avx512>(x, dst, n);
}

void install_avx512_quant_converts(CpuKernels& k) {
    simd::install_quant_converts<simd::Avx512>(k);
}

}  // namespace lamina
