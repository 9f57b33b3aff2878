// The fuzz harnesses as ordinary tests: every registered target replays its seeds, the
// regression inputs kept in fuzz/regressions/TARGET/ (reduced findings of earlier fuzzing), and
// a fixed set of seeded mutations of its seeds, so the default test run (and its ASan/UBSan pass)
// keeps them proven without running a fuzzer.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "fuzz/fuzz_target.h"
#include "sampling/rng.h"

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

// A mutation of the kinds libFuzzer starts with: overwritten bytes, integers set to boundary
// values (the counts and sizes of binary formats), and cut or duplicated ranges.
Input mutate(const Input& seed, SplitMix64& rng) {
    Input in = seed;
    const int edits = 1 + (int)(rng.next() % 4);
    for (int e = 0; e < edits && !in.empty(); ++e) {
        const size_t at = rng.next() % in.size();
        switch (rng.next() % 5) {
            case 0:
                in[at] = (uint8_t)rng.next();
                break;
            case 1: {
                static const uint64_t kBoundary[] = {0,          1,          0x7f,       0xff,
                                                     0x7fffffff, 0xffffffff, 1ull << 62, ~0ull,
                                                     1ull << 32, 1ull << 63};
                const uint64_t v = kBoundary[rng.next() % std::size(kBoundary)];
                const size_t width = std::min<size_t>((rng.next() % 2) ? 8 : 4, in.size() - at);
                std::memcpy(in.data() + at, &v, width);
                break;
            }
            case 2:
                in.resize(at);
                break;
            case 3: {
                const size_t n = std::min<size_t>(rng.next() % 64, in.size() - at);
                in.erase(in.begin() + (long)at, in.begin() + (long)(at + n));
                break;
            }
            default: {
                const size_t n = std::min<size_t>(rng.next() % 64, in.size() - at);
                const Input copy(in.begin() + (long)at, in.begin() + (long)(at + n));
                in.insert(in.begin() + (long)(rng.next() % in.size()), copy.begin(), copy.end());
                break;
            }
        }
    }
    return in;
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
