// Hostile model files and converter inputs: hyper-parameters that would size allocations
// before any tensor backs them, and inputs that are not regular files.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <functional>

#include "gguf/gguf_reader.h"
#include "gguf/gguf_writer.h"
#include "tools/llama2c_convert.h"
#include "model/llama_model.h"
#include "tools/model_gen.h"
#include "testing/temp_dir.h"

namespace lamina {
namespace {

// A copy of the GGUF at `in` with `edit` applied to its metadata, written to `out`.
void rewrite(const std::string& in, const std::string& out,
             const std::function<void(GgufWriter&)>& edit) {
    auto r = GgufReader::open(in);
    ASSERT_TRUE(r) << r.error();
    const GgufReader& g = **r;
    GgufWriter w;
    for (const GgufKv& kv : g.metadata()) w.set(kv.key, kv.value);
    for (const GgufTensorInfo& t : g.tensors())
        w.add_tensor(t.name, t.type, std::vector<int64_t>(t.ne, t.ne + t.n_dims), g.tensor_data(t));
    edit(w);
    ASSERT_TRUE(w.write(out));
}

std::string micro_model(const testing::TempDir& dir) {
    auto shape = find_model_shape("tiny");
    EXPECT_TRUE(shape);
    const std::string path = dir.file("tiny.gguf");
    EXPECT_TRUE(write_random_llama(path, *shape, DType::F32, 3));
    return path;
}

// Peak resident KiB of a child process running fn (measures allocations freed before returning).
long child_peak_kib(const std::function<void()>& fn) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        fn();
        ::_exit(0);
    }
    int status = 0;
    struct rusage ru {};
    ::wait4(pid, &status, 0, &ru);
    return ru.ru_maxrss;
}

TEST(HostileModel, BlockCountBeyondTheTensorTableIsRejectedBeforeAllocating) {
    testing::TempDir dir;
    const std::string good = micro_model(dir), bad = dir.file("blocks.gguf");
    rewrite(good, bad,
            [](GgufWriter& w) { w.set("llama.block_count", GgufValue::make_u32(1u << 20)); });
    const long base = child_peak_kib([&] { (void)GgufReader::open(bad, LoadMode::Map); });
    const long used = child_peak_kib([&] {
        auto m = LlamaModel::load(bad, nullptr, LoadMode::Map);
        if (m || m.error().find("block_count 1048576") == std::string::npos) ::_exit(3);
    });
    // Sizing the layers from the claimed count took 650-750 MB to report a missing tensor.
    EXPECT_LT(used - base, 32 * 1024) << "KiB";
    auto m = LlamaModel::load(bad, nullptr, LoadMode::Map);
    ASSERT_FALSE(m);
    EXPECT_NE(m.error().find("block_count 1048576"), std::string::npos) << m.error();
}

TEST(HostileModel, HeadCountsOutOfRangeAreRejected) {
    testing::TempDir dir;
    const std::string good = micro_model(dir), bad = dir.file("heads.gguf");
    // 2^64 - 4 used to become -4 as a signed count, which divides the head count evenly.
    rewrite(good, bad, [](GgufWriter& w) {
        w.set("llama.attention.head_count_kv", GgufValue::make_u64(~uint64_t(0) - 3));
    });
    auto m = LlamaModel::load(bad, nullptr, LoadMode::Map);
    ASSERT_FALSE(m);
    EXPECT_NE(m.error().find("head_count_kv"), std::string::npos) << m.error();
}

TEST(HostileLlama2c, InputsThatAreNotRegularFilesAreRejected) {
    testing::TempDir dir;
    const std::string fifo = dir.file("fifo");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    // Opening a FIFO with no writer used to block forever.
    auto v = read_llama2c_tokenizer(fifo, 32);
    ASSERT_FALSE(v);
    EXPECT_NE(v.error().find("not a regular file"), std::string::npos) << v.error();
    Status s = convert_llama2c(fifo, fifo, dir.file("out.gguf"), {});
    ASSERT_FALSE(s);
    EXPECT_NE(s.message().find("not a regular file"), std::string::npos) << s.message();
    EXPECT_FALSE(convert_llama2c(dir.path().string(), fifo, dir.file("out.gguf"), {}));
    EXPECT_FALSE(std::filesystem::exists(dir.file("out.gguf")));
}

}  // namespace
}  // namespace lamina
