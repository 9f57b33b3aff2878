// CpuFeatures: which SIMD instruction sets this CPU offers, and which one lamina will use.
#pragma once

#include <string>

namespace lamina {

enum class Isa { Scalar, Avx2, Avx512 };

struct CpuFeatures {
    bool avx2 = false;    // with FMA and F16C
    bool avx512 = false;  // F, BW, DQ, VL
    bool avx512_vnni = false;
    bool avx512_bf16 = false;

    static CpuFeatures detect();
    // The best ISA available, lowered by the LAMINA_ISA environment variable (scalar, avx2,
    // avx512) so tests and benchmarks can compare the kernel sets on one machine.
    Isa best_isa() const;
    std::string describe() const;
};

const char* isa_name(Isa isa);

}  // namespace lamina
