// Hostile GGUF files, one per class of defect found by replaying malformed files against the
// sanitizer build (issue 32): each must give one clear line, never a crash or a huge allocation.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <new>

#include "gguf/gguf_info.h"
#include "gguf/gguf_reader.h"
#include "gguf/gguf_test_bytes.h"
#include "gguf/gguf_writer.h"
#include "tools/quantize_model.h"
#include "testing/temp_dir.h"

namespace lamina {
namespace {

using testing::GgufBytes;

constexpr uint32_t kF32 = 0;

// Opens the bytes as a file in both load modes; returns the error (empty when accepted).
std::string open_error(const std::vector<uint8_t>& bytes) {
    testing::TempDir dir;
    const std::string path = dir.file("hostile.gguf");
    testing::write_bytes(path, bytes);
    std::string first;
    for (LoadMode mode : {LoadMode::Map, LoadMode::Read}) {
        auto r = GgufReader::open(path, mode);
        const std::string e = r ? "" : r.error();
        if (mode == LoadMode::Map) first = e;
        EXPECT_EQ(e, first) << "the load modes disagree";
        EXPECT_EQ(e.find('\n'), std::string::npos) << "error must be one line: " << e;
    }
    return first;
}

void expect_rejected(const std::vector<uint8_t>& bytes, const std::string& word) {
    const std::string e = open_error(bytes);
    ASSERT_FALSE(e.empty()) << "accepted a file that should fail with '" << word << "'";
    EXPECT_NE(e.find(word), std::string::npos) << e;
}

// A file with one F32 tensor "w" of shape ne (data of `data_bytes` zero bytes after the header)
// and optionally a general.alignment key.
std::vector<uint8_t> one_tensor(const std::vector<uint64_t>& ne, size_t data_bytes,
                                int64_t alignment = 0, const std::string& name = "w") {
    GgufBytes o;
    o.header(1, alignment ? 1 : 0);
    if (alignment > 0) o.kv_u32("general.alignment", (uint32_t)alignment);
    if (alignment < 0) o.kv_i32("general.alignment", (int32_t)alignment);
    o.tensor(name, ne, kF32, 0);
    o.pad(alignment > 0 ? (size_t)alignment : 32);
    o.zeros(data_bytes);
    return o.b;
}

TEST(GgufHostile, AlignmentBelowWhatTheKernelsNeedIsRejected) {
    for (int64_t a : {1, 2, 16}) expect_rejected(one_tensor({8}, 32, a), "below 32");
    // A negative signed alignment is named as the negative number it is.
    const std::string e = open_error(one_tensor({8}, 32, -32));
    EXPECT_NE(e.find("-32"), std::string::npos) << e;
    EXPECT_EQ(e.find("18446744"), std::string::npos) << e;
    EXPECT_EQ(open_error(one_tensor({8}, 32, 32)), "");
    EXPECT_EQ(open_error(one_tensor({8}, 64, 64)), "");
}

TEST(GgufHostile, RowBytesThatWrapAroundAreRejected) {
    // 2^62 F32 elements are 2^64 bytes: the row size used to wrap to 0 (and 2^62 + 32 to 128)
    // before the overflow check, so the file was accepted with a tiny data section.
    for (uint64_t ne0 : {uint64_t(1) << 62, (uint64_t(1) << 62) + 32, uint64_t(1) << 61})
        expect_rejected(one_tensor({ne0}, 128), "exceeds the file");
    expect_rejected(one_tensor({32, uint64_t(1) << 57}, 128), "exceeds the file");
    // Just fits: accepted, and the size is exact.
    testing::TempDir dir;
    testing::write_bytes(dir.file("ok.gguf"), one_tensor({8, 4}, 128));
    auto r = GgufReader::open(dir.file("ok.gguf"));
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ((*r)->tensors()[0].nbytes, 128u);
}

TEST(GgufHostile, EmptyTensorsCannotHideAnOverflowingShape) {
    // ne0 = 0 made the element count 0, so the other dimensions' product was never checked
    // (2^40 x 2^40 rows of nothing), and code computing rows from them overflowed.
    expect_rejected(one_tensor({0, uint64_t(1) << 40, uint64_t(1) << 40}, 0), "overflows");
    EXPECT_EQ(open_error(one_tensor({0, 3}, 0)), "");
}

TEST(GgufHostile, TensorDataMustBeTheAlignedRunningSum) {
    GgufBytes o;
    o.header(2, 0);
    o.tensor("a", {8}, kF32, 0);
    o.tensor("b", {8}, kF32, 64);  // a gap: a's data ends at 32
    o.pad().zeros(96);
    expect_rejected(o.b, "previous tensor");
}

TEST(GgufHostile, TensorNamesFollowTheGgufLimit) {
    expect_rejected(one_tensor({8}, 32, 0, std::string(64, 'n')), "63");
    expect_rejected(one_tensor({8}, 32, 0, ""), "empty name");
    EXPECT_EQ(open_error(one_tensor({8}, 32, 0, std::string(63, 'n'))), "");
}

TEST(GgufHostile, KeysAreNonEmptyAndEscapedInMessages) {
    GgufBytes empty;
    empty.header(0, 1).kv_u32("", 1);
    expect_rejected(empty.b, "empty");
    // A duplicate key made of control bytes: the message shows them escaped.
    GgufBytes dup;
    dup.header(0, 2).kv_u32("k\x1b[2J", 1).kv_u32("k\x1b[2J", 2);
    const std::string e = open_error(dup.b);
    EXPECT_NE(e.find("duplicate"), std::string::npos) << e;
    EXPECT_NE(e.find("k\\x1b[2J"), std::string::npos) << e;
    EXPECT_EQ(e.find('\x1b'), std::string::npos) << e;
}

TEST(GgufHostile, TruncationInsideAKeyOrValueIsReportedAsTruncation) {
    GgufBytes key;
    key.header(0, 2).kv_u32("general.a", 1).put<uint64_t>(40).raw("general.");  // key cut short
    expect_rejected(key.b, "truncated file: cannot read metadata key 1");
    // A real file cut inside its metadata: the count no longer fits what is left, but the
    // message still says where the file ends (it used to say only "metadata count exceeds").
    GgufBytes many;
    many.header(0, 20).kv_u32("general.a", 1).put<uint64_t>(40).raw("gen");
    const std::string cut = open_error(many.b);
    EXPECT_NE(cut.find("truncated file: cannot read metadata key 1"), std::string::npos) << cut;
    GgufBytes value;
    value.header(0, 2).kv_u32("general.a", 1).str("general.name").put<uint32_t>(8).str("abc", 99);
    const std::string e = open_error(value.b);
    EXPECT_NE(e.find("general.name"), std::string::npos) << e;
    EXPECT_NE(e.find("truncated"), std::string::npos) << e;
}

TEST(GgufHostile, OnlyRegularFilesAreOpened) {
    testing::TempDir dir;
    // A FIFO with no writer used to block open() forever.
    const std::string fifo = dir.file("fifo.gguf");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    auto f = GgufReader::open(fifo);
    ASSERT_FALSE(f);
    EXPECT_NE(f.error().find("not a regular file"), std::string::npos) << f.error();
    auto d = GgufReader::open(dir.path().string());
    ASSERT_FALSE(d);
    EXPECT_NE(d.error().find("directory"), std::string::npos) << d.error();
}

// The peak resident memory (KiB) of a child process that runs fn: the parser's allocations are
// measured where they happen, including ones freed again before an error is returned.
long child_peak_kib(const std::function<void()>& fn) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        fn();
        ::_exit(0);
    }
    int status = 0;
    struct rusage ru {};
    ::wait4(pid, &status, 0, &ru);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return ru.ru_maxrss;
}

TEST(GgufHostile, NestedArraysHoldMemoryProportionalToTheFile) {
    // Each level claims as many nested arrays as the remaining bytes could hold; the content
    // is one string filling the file, at the innermost level. Sizing each level's vector from
    // its claim used to take 100 times the file's size (250-300 MB from 2 MB).
    constexpr size_t kFile = 2 << 20;
    GgufBytes o;
    o.header(0, 1).str("deep").put<uint32_t>(9);
    for (int level = 0; level < 8; ++level)
        o.put<uint32_t>(level < 7 ? 9 : 8).put<uint64_t>((kFile - o.b.size() - 8) / 12 - 1);
    o.put<uint64_t>(kFile - o.b.size() - 8);
    o.zeros(kFile - o.b.size());
    testing::TempDir dir;
    const std::string path = dir.file("deep.gguf");
    testing::write_bytes(path, o.b);
    const long base = child_peak_kib([] {});
    const long used = child_peak_kib([&] {
        auto r = GgufReader::open(path, LoadMode::Read);
        if (r) ::_exit(3);
    });
    // The file read into memory and the string copied out of it: 4 MiB, and some slack.
    EXPECT_LT(used - base, 12 * 1024) << "KiB";
}

TEST(GgufHostile, InfoPrintsHostileNamesEscaped) {
    GgufBytes o;
    o.header(1, 1).kv_str("k\n\x1b", "v\x07");
    o.tensor("t\r", {8}, kF32, 0).pad().zeros(32);
    testing::TempDir dir;
    testing::write_bytes(dir.file("names.gguf"), o.b);
    auto r = GgufReader::open(dir.file("names.gguf"));
    ASSERT_TRUE(r) << r.error();
    char* buf = nullptr;
    size_t len = 0;
    FILE* out = ::open_memstream(&buf, &len);
    print_gguf_info(**r, out);
    std::fclose(out);
    const std::string text(buf, len);
    std::free(buf);
    EXPECT_NE(text.find("k\\n\\x1b"), std::string::npos) << text;
    EXPECT_NE(text.find("\"v\\x07\""), std::string::npos) << text;
    EXPECT_NE(text.find("t\\x0d"), std::string::npos) << text;
    for (char c : text) EXPECT_TRUE(c == '\n' || (unsigned char)c >= 0x20) << (int)c;
    EXPECT_NE(text.find("total: 1 tensors, 8 elements"), std::string::npos) << text;
}

TEST(GgufHostile, WriterLeavesNoTemporaryFileWhenAFillThrows) {
    testing::TempDir dir;
    const std::string out = dir.file("out.gguf");
    GgufWriter w;
    w.set("general.name", GgufValue::make_string("x"));
    w.add_tensor("t", DType::F32, {8}, [](uint8_t*, size_t) -> Status { throw std::bad_alloc(); });
    Status s = w.write(out);
    ASSERT_FALSE(s);
    EXPECT_NE(s.message().find("out of memory"), std::string::npos) << s.message();
    EXPECT_FALSE(std::filesystem::exists(out));
    EXPECT_FALSE(std::filesystem::exists(out + ".tmp"));
    // A size that cannot exist is an error before anything is created.
    GgufWriter huge;
    huge.add_tensor("t", DType::F32, {int64_t(1) << 62, 16}, nullptr);
    EXPECT_FALSE(huge.write(out));
    EXPECT_FALSE(std::filesystem::exists(out + ".tmp"));
}

TEST(GgufHostile, QuantizeRejectsWrappedSizesAndLeavesNoOutput) {
    testing::TempDir dir;
    const std::string in = dir.file("in.gguf"), out = dir.file("out.gguf");
    GgufBytes o;
    o.header(1, 0).tensor("blk.99999999999999999999.ffn_up.weight", {uint64_t(1) << 62, 1}, kF32,
                          0);
    o.pad().zeros(128);
    testing::write_bytes(in, o.b);
    auto target = find_quant_target("Q8_0");
    ASSERT_TRUE(target);
    Status s = quantize_model(in, out, *target, 1, nullptr, nullptr);
    ASSERT_FALSE(s);
    EXPECT_NE(s.message().find("exceeds the file"), std::string::npos) << s.message();
    EXPECT_FALSE(std::filesystem::exists(out));
    EXPECT_FALSE(std::filesystem::exists(out + ".tmp"));
}

}  // namespace
}  // namespace lamina
