#include "backend/cpu/cpu_features.h"

#include <cstdlib>
#include <string_view>

namespace lamina {

CpuFeatures CpuFeatures::detect() {
    CpuFeatures f;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    f.avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    f.avx512 = f.avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
    f.avx512_vnni = f.avx512 && __builtin_cpu_supports("avx512vnni");
    f.avx512_bf16 = f.avx512 && __builtin_cpu_supports("avx512bf16");
#endif
    return f;
}

Isa CpuFeatures::best_isa() const {
    Isa isa = avx512 && avx512_vnni ? Isa::Avx512 : avx2 ? Isa::Avx2 : Isa::Scalar;
    if (const char* env = std::getenv("LAMINA_ISA")) {
        std::string_view want = env;
        if (want == "scalar")
            isa = Isa::Scalar;
        else if (want == "avx2" && isa != Isa::Scalar)
            isa = Isa::Avx2;
    }
    return isa;
}

std::string CpuFeatures::describe() const {
    std::string s;
    s += avx2 ? "AVX2 " : "";
    s += avx512 ? "AVX512 " : "";
    s += avx512_vnni ? "AVX512_VNNI " : "";
    s += avx512_bf16 ? "AVX512_BF16 " : "";
    if (!s.empty()) s.pop_back();
    return s.empty() ? "none" : s;
}

const char* isa_name(Isa isa) {
    switch (isa) {
        case Isa::Scalar:
            return "scalar";
        case Isa::Avx2:
            return "avx2";
        case Isa::Avx512:
            return "avx512";
    }
    return "?";
}

}  // namespace lamina
