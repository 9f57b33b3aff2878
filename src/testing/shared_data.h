// Test helper: locates the read-only test data folder ($LAMINA_SHARED, default ../shared).
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <string>

namespace lamina::testing {

// The folder of shared test data: $LAMINA_SHARED if set, else ../shared beside the checkout.
inline std::string shared_dir() {
    if (const char* env = std::getenv("LAMINA_SHARED"); env && *env) return env;
    return std::string(LAMINA_SOURCE_DIR) + "/../shared";
}

// Full path of a file under the shared folder, or "" when it is absent.
inline std::string shared_file(const std::string& relative) {
    std::string p = shared_dir() + "/" + relative;
    struct stat st;
    return ::stat(p.c_str(), &st) == 0 ? p : std::string();
}

}  // namespace lamina::testing

// Declares `var` as the path of a shared file, or skips the test (with the reason) when absent.
#define LAMINA_SHARED_FILE_OR_SKIP(var, relative)                                                \
    const std::string var = ::lamina::testing::shared_file(relative);                            \
    if (var.empty()) {                                                                           \
        GTEST_SKIP() << "shared test data not found: " << ::lamina::testing::shared_dir() << "/" \
                     << (relative) << " (set LAMINA_SHARED)";                                    \
    }
