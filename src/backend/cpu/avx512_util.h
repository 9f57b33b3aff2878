// Small AVX-512 helpers shared by the *_avx512.cpp kernels (include only from those files).
#pragma once

#include <immintrin.h>

namespace lamina {

// A vector the compiler must hold in a register. Where a loaded vector feeds two instructions
// (a nibble mask and a shift, say), GCC folds the load into both as memory operands and so loads
// it twice; on Zen 5 the extra 512-bit loads cost the Q4_0 and Q4_K matrix-vector kernels
// 12-25% of their speed with the data in cache.
inline __m512i in_register(__m512i v) {
    asm("" : "+v"(v));
    return v;
}

}  // namespace lamina
