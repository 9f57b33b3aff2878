// lamina --version: the build's identity (generated at build time) and the kernel set chosen here.
#include "cli/version.h"

#include "backend/cpu/cpu_features.h"
#include "cli/build_info.h"

namespace lamina::cli {

std::string version_text() {
    const CpuFeatures cpu = CpuFeatures::detect();
    std::string out = "lamina " LAMINA_VERSION " (commit " LAMINA_GIT_COMMIT ")\n";
#if defined(__clang__)
    out += "build: " LAMINA_BUILD_TYPE ", clang " __clang_version__ "\n";
#else
    out += "build: " LAMINA_BUILD_TYPE ", gcc " __VERSION__ "\n";
#endif
    out += std::string("kernels: ") + isa_name(cpu.best_isa()) + " (CPU: " + cpu.describe() + ")\n";
    return out;
}

}  // namespace lamina::cli
