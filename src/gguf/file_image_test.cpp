// FileImage: both ways into memory give the file's exact bytes; reading reports progress and
// aligns for huge pages.
#include "gguf/file_image.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <random>
#include <vector>

#include "testing/temp_dir.h"

namespace lamina {
namespace {

std::vector<uint8_t> random_bytes(size_t n, uint32_t seed) {
    std::vector<uint8_t> b(n);
    std::mt19937 rng(seed);
    for (auto& v : b) v = (uint8_t)rng();
    return b;
}

struct OpenFile {
    int fd;
    explicit OpenFile(const std::string& path) : fd(::open(path.c_str(), O_RDONLY)) {}
    ~OpenFile() {
        if (fd >= 0) ::close(fd);
    }
};

TEST(FileImage, MapAndReadGiveTheFileBytes) {
    testing::TempDir dir;
    // Sizes around the 32 MiB read piece and the 2 MiB page: a tail in each.
    for (size_t n : {size_t(1), size_t(4097), (size_t(2) << 20) + 3, (size_t(33) << 20) + 5}) {
        SCOPED_TRACE(n);
        const std::vector<uint8_t> bytes = random_bytes(n, (uint32_t)n);
        const std::string path = dir.file("f.bin");
        std::ofstream(path, std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()), (std::streamsize)n);
        OpenFile f(path);
        ASSERT_GE(f.fd, 0);

        auto mapped = FileImage::map(f.fd, n, path);
        ASSERT_TRUE(mapped) << mapped.error();
        EXPECT_TRUE(mapped->mapped());
        ASSERT_EQ(mapped->size(), n);
        EXPECT_EQ(std::memcmp(mapped->data(), bytes.data(), n), 0);

        size_t last_done = 0, calls = 0;
        auto read = FileImage::read(f.fd, n, path, [&](size_t done, size_t total) {
            EXPECT_EQ(total, n);
            EXPECT_GT(done, last_done);
            last_done = done;
            ++calls;
        });
        ASSERT_TRUE(read) << read.error();
        EXPECT_FALSE(read->mapped());
        ASSERT_EQ(read->size(), n);
        // 2 MiB pages for an image that spans one; page alignment for smaller ones.
        const size_t align = n >= (size_t(2) << 20) ? size_t(2) << 20 : 4096;
        EXPECT_EQ(reinterpret_cast<uintptr_t>(read->data()) % align, 0u);
        EXPECT_EQ(std::memcmp(read->data(), bytes.data(), n), 0);
        EXPECT_EQ(last_done, n);
        EXPECT_EQ(calls, (n + (size_t(32) << 20) - 1) / (size_t(32) << 20));

        // Moving hands the memory over; the moved-from image is empty.
        FileImage moved = std::move(*read);
        EXPECT_EQ(std::memcmp(moved.data(), bytes.data(), n), 0);
        EXPECT_EQ(read->data(), nullptr);
        EXPECT_EQ(read->size(), 0u);
    }
}

TEST(FileImage, ReadingPastTheEndIsAnError) {
    testing::TempDir dir;
    const std::string path = dir.file("short.bin");
    const std::vector<uint8_t> bytes = random_bytes(100, 1);
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), (std::streamsize)bytes.size());
    OpenFile f(path);
    // As if the file shrank between fstat and the read.
    auto r = FileImage::read(f.fd, 200, path);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("shrank"), std::string::npos) << r.error();
    EXPECT_NE(r.error().find(path), std::string::npos) << r.error();
}

TEST(FileImage, AutoReadsSmallFilesAndMapsHugeOnes) {
    EXPECT_EQ(resolve_load_mode(LoadMode::Auto, 4096), LoadMode::Read);
    EXPECT_EQ(resolve_load_mode(LoadMode::Auto, size_t(1) << 62), LoadMode::Map);
    EXPECT_EQ(resolve_load_mode(LoadMode::Map, 4096), LoadMode::Map);
    EXPECT_EQ(resolve_load_mode(LoadMode::Read, size_t(1) << 62), LoadMode::Read);
}

}  // namespace
}  // namespace lamina
