// GgufReader on the shared fixtures and on hand-built valid and malformed files.
#include "gguf/gguf_reader.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <random>
#include <vector>

#include "testing/shared_data.h"
#include "testing/temp_dir.h"

namespace lamina {
namespace {

// Builds GGUF bytes by hand, independently of GgufWriter, so each field can be corrupted.
struct Bytes {
    std::vector<uint8_t> b;
    template <typename T>
    void put(T v) {
        const auto* p = reinterpret_cast<const uint8_t*>(&v);
        b.insert(b.end(), p, p + sizeof v);
    }
    void str(const std::string& s, uint64_t claimed_len = UINT64_MAX) {
        put<uint64_t>(claimed_len == UINT64_MAX ? s.size() : claimed_len);
        b.insert(b.end(), s.begin(), s.end());
    }
    void pad(size_t a) {
        while (b.size() % a) b.push_back(0);
    }
};

struct Spec {
    uint32_t version = 3;
    std::string magic = "GGUF";
    std::string key2 = "general.name";
    uint32_t alignment = 32;
    uint32_t n_dims = 2;
    uint64_t ne0 = 32, ne1 = 3;
    uint32_t type = 0;     // F32
    uint64_t offset2 = 0;  // second tensor's offset; 0 means "right after the first"
    std::string name2 = "b";
    uint64_t array_count = 3;
};

// A file with 3 metadata keys (alignment, a name, a u32 array) and two tensors: "a" [ne0, ne1]
// of `type`, and "b" F32 [8]. Returns the bytes and where each section starts.
std::vector<uint8_t> build(const Spec& s, std::vector<size_t>* boundaries = nullptr) {
    Bytes o;
    auto mark = [&] {
        if (boundaries) boundaries->push_back(o.b.size());
    };
    o.b.insert(o.b.end(), s.magic.begin(), s.magic.end());
    mark();
    o.put<uint32_t>(s.version);
    mark();
    o.put<uint64_t>(2);  // tensors
    o.put<uint64_t>(3);  // kv
    mark();
    o.str("general.alignment");
    o.put<uint32_t>(4);
    o.put<uint32_t>(s.alignment);
    mark();
    o.str(s.key2);
    o.put<uint32_t>(8);
    o.str("tiny");
    mark();
    o.str("test.array");
    o.put<uint32_t>(9);
    o.put<uint32_t>(4);
    o.put<uint64_t>(s.array_count);
    for (uint32_t v : {7u, 8u, 9u}) o.put<uint32_t>(v);
    mark();
    o.str("a");
    o.put<uint32_t>(s.n_dims);
    for (uint32_t d = 0; d < s.n_dims; ++d) o.put<uint64_t>(d == 0 ? s.ne0 : d == 1 ? s.ne1 : 1);
    o.put<uint32_t>(s.type);
    o.put<uint64_t>(0);
    mark();
    // Absurd shapes (overflow tests) get a small data section: the header is what is tested.
    const uint64_t a_bytes = s.ne0 * s.ne1 < 4096 ? s.ne0 * s.ne1 * 4 : 4096;
    o.str(s.name2);
    o.put<uint32_t>(1);
    o.put<uint64_t>(8);
    o.put<uint32_t>(0);
    o.put<uint64_t>(s.offset2 ? s.offset2 : (a_bytes + 31) / 32 * 32);
    mark();
    o.pad(s.alignment ? s.alignment : 32);
    mark();
    for (uint64_t i = 0; i < a_bytes / 4; ++i) o.put<float>((float)i);
    o.pad(32);
    mark();
    for (int i = 0; i < 8; ++i) o.put<float>(100.0f + i);
    if (boundaries) boundaries->push_back(o.b.size());
    return o.b;
}

std::string write_file(const testing::TempDir& dir, const std::vector<uint8_t>& bytes,
                       const std::string& name = "f.gguf") {
    const std::string path = dir.file(name);
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), (std::streamsize)bytes.size());
    return path;
}

// A mapped file and one read into memory must be validated alike.
constexpr LoadMode kModes[] = {LoadMode::Map, LoadMode::Read};

// Opening must fail with a message containing `word`, in either load mode.
void expect_error(const std::vector<uint8_t>& bytes, const std::string& word) {
    testing::TempDir dir;
    for (LoadMode mode : kModes) {
        auto r = GgufReader::open(write_file(dir, bytes), mode);
        ASSERT_FALSE(r) << "accepted a file that should fail with '" << word << "'";
        EXPECT_NE(r.error().find(word), std::string::npos) << r.error();
        EXPECT_EQ(r.error().find('\n'), std::string::npos) << "error must be one line";
    }
}

TEST(GgufReader, ReadsHandBuiltFile) {
    testing::TempDir dir;
    for (LoadMode mode : kModes) {
        auto r = GgufReader::open(write_file(dir, build(Spec{})), mode);
        ASSERT_TRUE(r) << r.error();
        const GgufReader& g = **r;
        EXPECT_EQ(g.mapped(), mode == LoadMode::Map);
        EXPECT_EQ(g.version(), 3u);
        EXPECT_EQ(g.get_string("general.name"), "tiny");
        EXPECT_EQ(g.get_uint("general.alignment"), 32u);
        const GgufValue* arr = g.find("test.array");
        ASSERT_NE(arr, nullptr);
        EXPECT_EQ(arr->uints, (std::vector<uint64_t>{7, 8, 9}));
        ASSERT_EQ(g.tensors().size(), 2u);
        const GgufTensorInfo* a = g.find_tensor("a");
        ASSERT_NE(a, nullptr);
        EXPECT_EQ(a->ne[0], 32);
        EXPECT_EQ(a->ne[1], 3);
        EXPECT_EQ(a->nbytes, 32u * 3 * 4);
        const float* fa = reinterpret_cast<const float*>(g.tensor_data(*a));
        EXPECT_EQ(fa[95], 95.0f);
        const float* fb = reinterpret_cast<const float*>(g.tensor_data(*g.find_tensor("b")));
        EXPECT_EQ(fb[7], 107.0f);
    }
}

TEST(GgufReader, RejectsBadMagicAndVersions) {
    Spec s;
    s.magic = "GGUG";
    expect_error(build(s), "magic");
    for (uint32_t v : {1u, 4u, 0xffffffffu}) {
        Spec sv;
        sv.version = v;
        expect_error(build(sv), "version");
    }
    expect_error({}, "empty");
    expect_error({'G', 'G'}, "small");
}

TEST(GgufReader, RejectsTruncationAtEverySectionBoundaryAndEveryByte) {
    std::vector<size_t> boundaries;
    const std::vector<uint8_t> full = build(Spec{}, &boundaries);
    testing::TempDir dir;
    // Every proper prefix that cuts into real content must fail (the last tensor ends the file).
    for (size_t n = 0; n < full.size(); ++n) {
        std::vector<uint8_t> cut(full.begin(), full.begin() + (long)n);
        for (LoadMode mode : kModes) {
            auto r = GgufReader::open(write_file(dir, cut), mode);
            ASSERT_FALSE(r) << "prefix of " << n << " bytes accepted";
        }
    }
    for (size_t b : boundaries) {
        if (b >= full.size()) continue;
        std::vector<uint8_t> cut(full.begin(), full.begin() + (long)b);
        auto r = GgufReader::open(write_file(dir, cut));
        ASSERT_FALSE(r);
        EXPECT_TRUE(r.error().find("trunc") != std::string::npos ||
                    r.error().find("outside") != std::string::npos ||
                    r.error().find("exceeds") != std::string::npos ||
                    r.error().find("small") != std::string::npos ||
                    r.error().find("empty") != std::string::npos)
            << "cut at " << b << ": " << r.error();
    }
}

TEST(GgufReader, RejectsBadTensorInfo) {
    Spec outside;
    outside.offset2 = 1 << 20;
    expect_error(build(outside), "outside");
    Spec overlap;
    overlap.offset2 = 32;  // inside tensor a
    expect_error(build(overlap), "overlap");
    Spec unaligned;
    unaligned.offset2 = 400;
    expect_error(build(unaligned), "aligned");
    Spec overflow;
    overflow.ne0 = 1ull << 40;
    overflow.ne1 = 1ull << 40;
    expect_error(build(overflow), "overflow");
    Spec negative;
    negative.ne1 = (uint64_t)-5;
    expect_error(build(negative), "negative");
    Spec unknown;
    unknown.type = 77;
    expect_error(build(unknown), "unknown type");
    Spec removed;
    removed.type = 4;  // Q4_2, removed from GGUF long ago
    expect_error(build(removed), "unknown type");
    Spec block;
    block.type = 2;  // Q4_0 with a 32-element block...
    block.ne0 = 48;  // ...and a row of 48
    expect_error(build(block), "block size");
    Spec dup;
    dup.name2 = "a";
    expect_error(build(dup), "duplicate tensor");
    for (uint32_t n : {0u, 5u}) {
        Spec dims;
        dims.n_dims = n;
        expect_error(build(dims), "dimensions");
    }
}

TEST(GgufReader, RejectsBadMetadata) {
    Spec dup;
    dup.key2 = "general.alignment";
    expect_error(build(dup), "alignment");  // the duplicate is a string: type check or duplicate
    Spec align;
    align.alignment = 24;
    expect_error(build(align), "power of two");
    Spec huge;
    huge.array_count = 1ull << 60;
    expect_error(build(huge), "exceeds");

    // A string whose length field claims more bytes than the file has.
    Bytes o;
    o.b = {'G', 'G', 'U', 'F'};
    o.put<uint32_t>(3);
    o.put<uint64_t>(0);
    o.put<uint64_t>(1);
    o.str("general.name");
    o.put<uint32_t>(8);
    o.str("abc", 1ull << 50);
    expect_error(o.b, "string");

    // Unknown value type.
    Bytes u;
    u.b = {'G', 'G', 'U', 'F'};
    u.put<uint32_t>(3);
    u.put<uint64_t>(0);
    u.put<uint64_t>(1);
    u.str("k");
    u.put<uint32_t>(13);
    u.put<uint32_t>(0);
    expect_error(u.b, "unknown value type");

    // Counts far beyond the file.
    Bytes c;
    c.b = {'G', 'G', 'U', 'F'};
    c.put<uint32_t>(3);
    c.put<uint64_t>(1ull << 62);
    c.put<uint64_t>(0);
    expect_error(c.b, "tensor count");
}

TEST(GgufReader, RandomCorruptionNeverCrashes) {
    const std::vector<uint8_t> full = build(Spec{});
    std::mt19937 rng(42);
    testing::TempDir dir;
    int rejected = 0;
    for (int trial = 0; trial < 400; ++trial) {
        std::vector<uint8_t> bad = full;
        const int flips = 1 + (int)(rng() % 4);
        for (int k = 0; k < flips; ++k) bad[rng() % 200] = (uint8_t)rng();  // header region
        auto r = GgufReader::open(write_file(dir, bad), trial % 2 ? LoadMode::Read : LoadMode::Map);
        rejected += !r;
    }
    EXPECT_GT(rejected, 0);
}

TEST(GgufReader, ReadsSharedFixtureAsDocumented) {
    LAMINA_SHARED_FILE_OR_SKIP(path, "fixtures/rand-fix256-f16.gguf");
    auto r = GgufReader::open(path);
    ASSERT_TRUE(r) << r.error();
    const GgufReader& g = **r;
    // Facts from ../shared/README.md: dim 256, 2 blocks, 8 heads, 4 KV heads, ffn 768, ctx 512,
    // rope base 10000, eps 1e-5, the Llama 2 tokenizer with 32000 tokens.
    EXPECT_EQ(g.get_string("general.architecture"), "llama");
    EXPECT_EQ(g.get_uint("llama.embedding_length"), 256u);
    EXPECT_EQ(g.get_uint("llama.block_count"), 2u);
    EXPECT_EQ(g.get_uint("llama.attention.head_count"), 8u);
    EXPECT_EQ(g.get_uint("llama.attention.head_count_kv"), 4u);
    EXPECT_EQ(g.get_uint("llama.feed_forward_length"), 768u);
    EXPECT_EQ(g.get_uint("llama.context_length"), 512u);
    EXPECT_FLOAT_EQ((float)*g.get_float("llama.rope.freq_base"), 10000.0f);
    EXPECT_FLOAT_EQ((float)*g.get_float("llama.attention.layer_norm_rms_epsilon"), 1e-5f);
    EXPECT_EQ(g.get_string("tokenizer.ggml.model"), "llama");
    const GgufValue* tokens = g.find("tokenizer.ggml.tokens");
    ASSERT_NE(tokens, nullptr);
    ASSERT_EQ(tokens->strs.size(), 32000u);
    EXPECT_EQ(tokens->strs[1], "<s>");
    EXPECT_EQ(tokens->strs[3], "<0x00>");
    const GgufTensorInfo* emb = g.find_tensor("token_embd.weight");
    ASSERT_NE(emb, nullptr);
    EXPECT_EQ(emb->type, DType::F16);
    EXPECT_EQ(emb->ne[0], 256);
    EXPECT_EQ(emb->ne[1], 32000);
    // 2 blocks x 9 tensors + embeddings, output norm, output.
    EXPECT_EQ(g.tensors().size(), 21u);
    size_t bytes = 0;
    for (const auto& t : g.tensors()) bytes += t.nbytes;
    EXPECT_LE(g.data_offset() + bytes, g.file_size());
}

}  // namespace
}  // namespace lamina
