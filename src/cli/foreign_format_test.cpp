// Model files that are not GGUF are recognised by their first bytes, with what to do about them.
#include "cli/foreign_format.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "testing/temp_dir.h"

namespace lamina::cli {
namespace {

std::string write(const testing::TempDir& dir, const std::string& name, const std::string& bytes) {
    const std::string path = dir.file(name);
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
}

std::string le32(uint32_t v) {
    return std::string{(char)(v & 0xff), (char)(v >> 8 & 0xff), (char)(v >> 16 & 0xff),
                       (char)(v >> 24)};
}

std::string explained(const std::string& path) {
    return explain_foreign_format(path).value_or("(none)");
}

TEST(CliForeignFormat, SafetensorsByItsHeader) {
    testing::TempDir dir;
    // The safetensors layout: an 8-byte little-endian header length, then the JSON header.
    const std::string json = R"({"__metadata__":{"format":"pt"}})";
    const std::string path =
        write(dir, "model.safetensors", le32((uint32_t)json.size()) + le32(0) + json + "weights");
    const std::string why = explained(path);
    EXPECT_NE(why.find("safetensors"), std::string::npos) << why;
    EXPECT_NE(why.find("no `lamina convert` mode"), std::string::npos) << why;
}

TEST(CliForeignFormat, PyTorchZipAndPickle) {
    testing::TempDir dir;
    EXPECT_NE(explained(write(dir, "a.pth", std::string("PK\x03\x04", 4) + "archive/data.pkl"))
                  .find("PyTorch checkpoint (zip"),
              std::string::npos);
    EXPECT_NE(explained(write(dir, "b.pt", std::string("\x80\x02}q\x00", 5) + "pickled"))
                  .find("PyTorch checkpoint (pickle"),
              std::string::npos);
}

TEST(CliForeignFormat, Llama2cCheckpointsNameTheConvertMode) {
    testing::TempDir dir;
    // llama2.c's legacy header: dim 8, hidden 16, 1 layer, 2 heads, 2 kv heads, vocab 32, seq 16;
    // then at least the F32 embedding table.
    std::string v0;
    for (uint32_t x : {8u, 16u, 1u, 2u, 2u, 32u, 16u}) v0 += le32(x);
    v0 += std::string(32 * 8 * 4, '\0');
    const std::string why = explained(write(dir, "stories.bin", v0));
    EXPECT_NE(why.find("lamina convert --llama2c"), std::string::npos) << why;
    // The versioned export ("ak42", version 1) is not what the converter reads.
    const std::string v1 = explained(write(dir, "v1.bin", le32(0x616b3432) + le32(1) + v0));
    EXPECT_NE(v1.find("version 1"), std::string::npos) << v1;
    EXPECT_NE(v1.find("version 0"), std::string::npos) << v1;
}

TEST(CliForeignFormat, PreGgufGgmlFiles) {
    testing::TempDir dir;
    const std::string why = explained(write(dir, "old.bin", le32(0x67676a74) + le32(3) + "...."));
    EXPECT_NE(why.find("GGML file from before GGUF"), std::string::npos) << why;
}

TEST(CliForeignFormat, GgufAndUnknownFilesAreNotExplained) {
    testing::TempDir dir;
    EXPECT_EQ(explained(write(dir, "m.gguf", std::string("GGUF\x03\0\0\0", 8) + "rest")), "(none)");
    EXPECT_EQ(explained(write(dir, "notes.txt", "just some text here")), "(none)");
    EXPECT_EQ(explained(dir.file("missing.bin")), "(none)");
    // Named .bin but of no known layout: still says which converter exists.
    EXPECT_NE(explained(write(dir, "x.bin", "random bytes, not a model")).find("--llama2c"),
              std::string::npos);
}

}  // namespace
}  // namespace lamina::cli
