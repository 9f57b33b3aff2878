// AVX2 conversions between float rows and quantized blocks: the bodies of simd/quant_convert.h
// at eight lanes (compiled with -mavx2 -mfma -mf16c).
#include "backend/cpu/quant_convert_avx2.h"

#include "backend/cpu/kernels.h"
#include "backend/cpu/simd/quant_convert.h"
#include "backend/cpu/simd/vec_avx2.h"

namespace lamina {

void q8_0_from_float_avx2(const float* x, void* dst, int64_t n) {
    simd::q8_0_from_float<simd::Avx2>(x, dst, n);
}
void q8_k_from_float_avx2(const float* x, void* dst, int64_t n) {
    simd::q8_k_from_float<simd::Avx2>(x, dst, n);
}

void install_avx2_quant_converts(CpuKernels& k) {
    simd::install_quant_converts<simd::Avx2>(k);
}

}  // namespace lamina
