// Model path resolution: -m, then $LAMINA_MODEL, then the bundled model.
#include "cli/model_path.h"

#include <sys/stat.h>

#include <cstdlib>

namespace lamina::cli {
namespace {
bool is_file(const std::string& p) {
    struct stat st;
    return !p.empty() && ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}
}  // namespace

Expected<std::string> resolve_model_path(const std::string& given) {
    if (!given.empty()) return given;  // the loader names a missing file itself
    if (const char* env = std::getenv("LAMINA_MODEL"); env && *env) {
        if (!is_file(env))
            return Status::error(std::string("LAMINA_MODEL=") + env + ": no such file");
        return std::string(env);
    }
#ifdef LAMINA_DEFAULT_MODEL
    if (is_file(LAMINA_DEFAULT_MODEL)) return std::string(LAMINA_DEFAULT_MODEL);
#endif
    return Status::error("no model given (-m FILE) and no bundled model found");
}

}  // namespace lamina::cli
