// AVX2/FMA/F16C versions of the CpuKernels entries (compiled with -mavx2 -mfma -mf16c): the
// element-wise, attention and panel bodies of simd/ at eight lanes.
#include <immintrin.h>

#include "backend/cpu/kernels.h"
#include "backend/cpu/simd/attention.h"
#include "backend/cpu/simd/elementwise.h"
#include "backend/cpu/simd/panel.h"
#include "backend/cpu/simd/vec_avx2.h"

namespace lamina {

void install_avx2_kernels(CpuKernels& k) {
    simd::install_elementwise<simd::Avx2>(k);
    simd::install_attention<simd::Avx2>(k);
    simd::install_panels<simd::Avx2>(k);
}

}  // namespace lamina
