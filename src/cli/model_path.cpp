#include "cli/model_path.h"

#include <sys/stat.h>

#include <cstdlib>

namespace lamina::cli {
namespace {
bool exists(const std::string& p) {
    struct stat st;
    return !p.empty() && ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}
}  // namespace

std::string default_model_path() {
    if (const char* env = std::getenv("LAMINA_MODEL"); env && exists(env)) return env;
#ifdef LAMINA_DEFAULT_MODEL
    if (exists(LAMINA_DEFAULT_MODEL)) return LAMINA_DEFAULT_MODEL;
#endif
    return "";
}

}  // namespace lamina::cli
