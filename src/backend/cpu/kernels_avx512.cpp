// AVX-512 versions of the CpuKernels entries (compiled with -mavx512f/bw/dq/vl/vnni/bf16): the
// element-wise, attention and panel bodies of simd/ at sixteen lanes.
// GCC 12 reports its own AVX-512 intrinsics (which start from _mm512_undefined_*) as "(maybe)
// uninitialized" once inlined; the warning is about the header, not this code.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include "backend/cpu/kernels.h"
#include "backend/cpu/simd/attention.h"
#include "backend/cpu/simd/elementwise.h"
#include "backend/cpu/simd/panel.h"
#include "backend/cpu/simd/vec_avx512.h"

namespace lamina {

void install_avx512_kernels(CpuKernels& k) {
    simd::install_elementwise<simd::Avx512>(k);
    simd::install_attention<simd::Avx512>(k);
    simd::install_panels<simd::Avx512>(k);
}

}  // namespace lamina
