// The layer rule (docs/architecture.md): no file under src/ includes a header from its own layer
// or one above it, except its own folder; test support (src/testing) is for tests only.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "testing/temp_dir.h"

namespace lamina {
namespace {

namespace fs = std::filesystem;

// Bottom to top. A folder may include the folders of lower levels only; folders sharing a level
// are peers and may not include each other. A new folder under src/ must be placed here.
struct Layer {
    std::string_view folder;
    int level;
};
constexpr Layer kLayers[] = {
    {"core", 0},     {"quant", 1}, {"backend", 2}, {"gguf", 3},    {"model", 4}, {"tokenizer", 5},
    {"sampling", 5}, {"chat", 5},  {"tools", 5},   {"runtime", 6}, {"cli", 7},
};
// Test helpers: include no layer, and only tests include them.
constexpr std::string_view kTestSupport = "testing";

std::optional<int> level_of(std::string_view folder) {
    for (const Layer& l : kLayers)
        if (l.folder == folder) return l.level;
    return std::nullopt;
}

// Tests and their helpers say so in their names (x_test.cpp, vocab_test_vectors.h,
// simd_isas_for_test.h); jinja_tests.h (Jinja's `is` tests) is not one.
bool is_test_code(const fs::path& file) {
    static const std::regex kTestName("(^|_)test[_.]");
    return std::regex_search(file.filename().string(), kTestName);
}

bool is_source(const fs::path& file) {
    const std::string ext = file.extension().string();
    return ext == ".h" || ext == ".hpp" || ext == ".cpp" || ext == ".cc" || ext == ".inc";
}

// The quoted path of an `#include "..."` line, or "" for any other line.
std::string quoted_include(const std::string& line) {
    size_t i = line.find_first_not_of(" \t");
    if (i == std::string::npos || line[i] != '#') return "";
    i = line.find_first_not_of(" \t", i + 1);
    if (i == std::string::npos || line.compare(i, 7, "include") != 0) return "";
    const size_t open = line.find_first_not_of(" \t", i + 7);
    if (open == std::string::npos || line[open] != '"') return "";
    const size_t close = line.find('"', open + 1);
    return close == std::string::npos ? "" : line.substr(open + 1, close - open - 1);
}

// One message per breach of the rule in the tree under `src`; empty when the tree keeps it.
std::vector<std::string> layer_violations(const fs::path& src) {
    std::vector<std::string> out;
    std::set<std::string> unplaced;
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(src))
        if (e.is_regular_file() && is_source(e.path())) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
        const fs::path rel = fs::relative(file, src);
        const std::string where = "src/" + rel.generic_string();
        if (std::distance(rel.begin(), rel.end()) < 2) {
            out.push_back(where + ": sources live in a layer folder, not in src/ itself");
            continue;
        }
        const std::string folder = rel.begin()->string();
        const bool support = folder == kTestSupport;
        const std::optional<int> level = level_of(folder);
        if (!support && !level) {
            if (unplaced.insert(folder).second)
                out.push_back("src/" + folder +
                              "/: a folder with no place in the layer order (kLayers in "
                              "src/testing/layers_test.cpp, and docs/architecture.md)");
            continue;
        }
        std::ifstream in(file);
        std::string line;
        for (int n = 1; std::getline(in, line); ++n) {
            const std::string inc = quoted_include(line);
            const size_t slash = inc.find('/');
            if (slash == std::string::npos) continue;
            const std::string target = inc.substr(0, slash);
            if (target == folder) continue;
            const std::string at = where + ":" + std::to_string(n) + ": includes " + inc + ": ";
            if (target == kTestSupport) {
                if (!is_test_code(file)) out.push_back(at + "test support is for tests only");
                continue;
            }
            const std::optional<int> target_level = level_of(target);
            if (!target_level) {
                // Folders outside src/ (nlohmann/, gtest/) are libraries, not layers.
                if (fs::is_directory(src / target))
                    out.push_back(at + "src/" + target + " has no place in the layer order");
                continue;
            }
            if (support)
                out.push_back(at + "test support includes no layer");
            else if (*target_level >= *level)
                out.push_back(at + target +
                              (*target_level == *level ? " is a peer of " : " is above ") + folder);
        }
    }
    return out;
}

TEST(Layers, NoIncludeGoesUp) {
    const fs::path src = fs::path(LAMINA_SOURCE_DIR) / "src";
    ASSERT_TRUE(fs::is_directory(src / "core")) << src;
    const std::vector<std::string> bad = layer_violations(src);
    for (const std::string& b : bad) ADD_FAILURE() << b;
    EXPECT_TRUE(bad.empty());
}

// The check itself, on a small tree with one breach of each kind next to includes it must accept.
TEST(Layers, CheckCatchesEachKindOfBreach) {
    testing::TempDir dir;
    const fs::path src = dir.path() / "src";
    const auto write = [&](const std::string& rel, const std::string& text) {
        fs::create_directories((src / rel).parent_path());
        std::ofstream(src / rel) << text;
    };
    write("core/a.h", "#include <vector>\n#include \"core/b.h\"\n  #  include \"runtime/r.h\"\n");
    write("core/b.h", "// nothing\n");
    write("sampling/s.h", "#include \"core/a.h\"\n#include \"tokenizer/t.h\"\n");
    write("tokenizer/t.h", "#include \"gguf/g.h\"\n");
    write("runtime/r.cpp",
          "#include \"model/m.h\"\n#include \"chat/c.h\"\n#include \"nlohmann/json.hpp\"\n");
    write("model/m.cpp", "#include \"testing/temp_dir.h\"\n");
    write("chat/jinja_tests.cpp", "#include \"testing/temp_dir.h\"\n");
    write("model/m_test.cpp", "#include \"testing/temp_dir.h\"\n#include \"backend/x.h\"\n");
    write("testing/helper.h", "#include \"core/a.h\"\n");
    write("widgets/w.cpp", "#include \"core/a.h\"\n");
    write("cli/main.cpp", "#include \"widgets/w.h\"\n#include \"runtime/r.h\"\n");
    write("stray.cpp", "\n");

    const std::vector<std::string> got = layer_violations(src);
    const std::vector<std::string> want = {
        "src/chat/jinja_tests.cpp:1: includes testing/temp_dir.h: test support is for tests only",
        "src/cli/main.cpp:1: includes widgets/w.h: src/widgets has no place in the layer order",
        "src/core/a.h:3: includes runtime/r.h: runtime is above core",
        "src/model/m.cpp:1: includes testing/temp_dir.h: test support is for tests only",
        "src/sampling/s.h:2: includes tokenizer/t.h: tokenizer is a peer of sampling",
        "src/stray.cpp: sources live in a layer folder, not in src/ itself",
        "src/testing/helper.h:1: includes core/a.h: test support includes no layer",
        "src/widgets/: a folder with no place in the layer order (kLayers in "
        "src/testing/layers_test.cpp, and docs/architecture.md)",
    };
    EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace lamina
