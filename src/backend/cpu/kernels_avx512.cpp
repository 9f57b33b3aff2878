// AVX-512 versions of the CpuKernels entries (compiled with -mavx512f/bw/dq/vl/vnni/bf16).
#include <immintrin.h>

#include "backend/cpu/kernels.h"

namespace lamina {

void install_avx512_kernels(CpuKernels& k) {
    (void)k;  // The AVX2 entries serve until AVX-512 kernels are written.
}

}  // namespace lamina
