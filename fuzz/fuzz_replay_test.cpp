// The fuzz harnesses as ordinary tests: every registered target replays its seeds, the
// regression inputs kept in fuzz/regressions/TARGET/ (reduced findings of earlier fuzzing), and
// a fixed set of seeded mutations of its seeds, so the default test run (and its ASan/UBSan pass)
// keeps them proven without running a fuzzer.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "fuzz/fuzz_target.h"
#include "fuzz/mutate.h"

namespace lamina::fuzz {
namespace {

std::vector<std::string> target_names() {
    std::vector<std::string> names;
    for (const Target& t : registered_targets()) names.push_back(t.name);
    std::sort(names.begin(), names.end());
    return names;
}

const Target& find_target(const std::string& name) {
    for (const Target& t : registered_targets())
        if (name == t.name) return t;
    std::abort();
}

class HostileFuzzReplay : public ::testing::TestWithParam<std::string> {};

TEST_P(HostileFuzzReplay, SeedsRegressionsAndMutations) {
    const Target& t = find_target(GetParam());
    const std::vector<Input> seeds = t.seeds();
    if (seeds.empty()) GTEST_SKIP() << t.name << ": no seeds (its shared test data is absent)";
    for (const Input& s : seeds) t.entry(s.data(), s.size());

    const std::filesystem::path dir =
        std::filesystem::path(LAMINA_SOURCE_DIR) / "fuzz" / "regressions" / t.name;
    int regressions = 0;
    if (std::filesystem::is_directory(dir)) {
        for (const auto& e : std::filesystem::directory_iterator(dir)) {
            std::ifstream in(e.path(), std::ios::binary);
            const Input bytes(std::istreambuf_iterator<char>(in), {});
            SCOPED_TRACE(e.path().string());
            t.entry(bytes.data(), bytes.size());
            ++regressions;
        }
    }
    SplitMix64 rng(2026);
    constexpr int kMutations = 300;
    for (int i = 0; i < kMutations; ++i) {
        const Input in = mutate(seeds[(size_t)i % seeds.size()], rng);
        t.entry(in.data(), in.size());
    }
    RecordProperty("regressions", regressions);
}

INSTANTIATE_TEST_SUITE_P(Targets, HostileFuzzReplay, ::testing::ValuesIn(target_names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace lamina::fuzz
