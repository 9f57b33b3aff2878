// Test support: the kernel sets this CPU can run, to compare the SIMD ones against the scalar one.
#pragma once

#include <vector>

#include "backend/cpu/cpu_features.h"

namespace lamina {

inline std::vector<Isa> simd_isas_for_test() {
    const CpuFeatures f = CpuFeatures::detect();
    std::vector<Isa> out;
    if (f.avx2) out.push_back(Isa::Avx2);
    if (f.avx512 && f.avx512_vnni) out.push_back(Isa::Avx512);
    return out;
}

// The scalar reference set first, then the SIMD sets.
inline std::vector<Isa> isas_for_test() {
    std::vector<Isa> out = {Isa::Scalar};
    for (Isa isa : simd_isas_for_test()) out.push_back(isa);
    return out;
}

}  // namespace lamina
