// The GGUF corruption suite: 2,000 seeded mutations of small valid files and cuts at every
// section boundary and at 70 offsets, each through the reader in both load modes and through the
// model loader. Every one must give a result or one clear line, and no sanitizer report (this
// runs in scripts/test's ASan pass).
#include <gtest/gtest.h>

#include <algorithm>

#include "fuzz/gguf_seeds.h"
#include "fuzz/mutate.h"
#include "gguf/gguf_reader.h"
#include "model/llama_model.h"

namespace lamina::fuzz {
namespace {

// Opens the bytes in both modes; returns whether they were accepted (the modes must agree).
bool accepted(const Input& bytes) {
    MemFile file(bytes.data(), bytes.size());
    auto mapped = GgufReader::open(file.path(), LoadMode::Map);
    auto read = GgufReader::open(file.path(), LoadMode::Read);
    EXPECT_EQ(mapped.has_value(), read.has_value());
    if (!mapped) {
        EXPECT_FALSE(mapped.error().empty());
        EXPECT_EQ(mapped.error().find('\n'), std::string::npos) << mapped.error();
        EXPECT_EQ(mapped.error(), read.error());
    }
    return mapped.has_value();
}

TEST(GgufCorruption, SeededMutationsGiveAResultOrOneLine) {
    const std::vector<Input> seeds = {micro_model(DType::F16), every_type_file()};
    SplitMix64 rng(32);
    int rejected = 0, loaded = 0;
    constexpr int kMutations = 2000;
    for (int i = 0; i < kMutations; ++i) {
        const Input bad = mutate(seeds[(size_t)i % seeds.size()], rng);
        if (!accepted(bad)) {
            ++rejected;
            continue;
        }
        MemFile file(bad.data(), bad.size());
        auto m = LlamaModel::load(file.path(), nullptr, LoadMode::Read);
        if (m)
            ++loaded;
        else
            EXPECT_EQ(m.error().find('\n'), std::string::npos) << m.error();
    }
    // Most mutations hit the header or tensor table of these small files and are refused.
    EXPECT_GT(rejected, kMutations / 4);
    RecordProperty("rejected", rejected);
    RecordProperty("loaded", loaded);
}

TEST(GgufCorruption, CutsAtSectionBoundariesAndSpreadOffsets) {
    for (const Input& full : {micro_model(DType::F32), every_type_file()}) {
        MemFile file(full.data(), full.size());
        auto r = GgufReader::open(file.path());
        ASSERT_TRUE(r) << r.error();
        const GgufReader& g = **r;
        // Where the sections end: the fixed header, the data section, each tensor's data.
        std::vector<size_t> cuts = {0, 4, 8, 16, 24, g.data_offset() - 1, g.data_offset()};
        size_t data_end = g.data_offset();
        for (const GgufTensorInfo& t : g.tensors()) {
            cuts.push_back(g.data_offset() + t.offset);
            cuts.push_back(g.data_offset() + t.offset + t.nbytes - 1);
            data_end = std::max<size_t>(data_end, g.data_offset() + t.offset + t.nbytes);
        }
        for (int k = 1; k <= 70; ++k) cuts.push_back(full.size() * (size_t)k / 71);
        for (size_t cut : cuts) {
            if (cut >= full.size()) continue;
            const Input prefix(full.begin(), full.begin() + (long)cut);
            // Anything cut before the last tensor's data ends lacks part of the file.
            if (cut < data_end) {
                EXPECT_FALSE(accepted(prefix)) << "cut at " << cut << " of " << full.size();
            } else {
                (void)accepted(prefix);
            }
        }
    }
}

}  // namespace
}  // namespace lamina::fuzz
