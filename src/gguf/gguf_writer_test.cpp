// GgufWriter output read back by GgufReader, and its no-partial-file guarantee.
#include "gguf/gguf_writer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstring>

#include "gguf/gguf_reader.h"
#include "testing/temp_dir.h"

namespace lamina {
namespace {

bool file_exists(const std::string& p) {
    struct stat st;
    return ::stat(p.c_str(), &st) == 0;
}

TEST(GgufWriter, RoundTripsEveryValueTypeAndTensors) {
    testing::TempDir dir;
    GgufWriter w;
    GgufValue v;
    struct Scalar {
        GgufType t;
        uint64_t u;
        int64_t i;
        double f;
    };
    const Scalar scalars[] = {{GgufType::UINT8, 200, 0, 0},
                              {GgufType::INT8, 0, -100, 0},
                              {GgufType::UINT16, 60000, 0, 0},
                              {GgufType::INT16, 0, -30000, 0},
                              {GgufType::UINT32, 4000000000u, 0, 0},
                              {GgufType::INT32, 0, -2000000000, 0},
                              {GgufType::UINT64, 1ull << 60, 0, 0},
                              {GgufType::INT64, 0, -(1ll << 60), 0},
                              {GgufType::FLOAT32, 0, 0, 1.5},
                              {GgufType::FLOAT64, 0, 0, 1e-300},
                              {GgufType::BOOL, 1, 0, 0}};
    for (const Scalar& s : scalars) {
        GgufValue x;
        x.type = s.t;
        x.u = s.u;
        x.i = s.i;
        x.f = s.f;
        w.set(std::string("s.") + gguf_type_name(s.t), x);
    }
    w.set("s.str", GgufValue::make_string("héllo\n"));
    w.set("a.str", GgufValue::make_string_array({"a", "", "ccc"}));
    w.set("a.f32", GgufValue::make_f32_array({1.0f, -2.5f}));
    w.set("a.i32", GgufValue::make_i32_array({-1, 2, -3}));
    GgufValue nested;
    nested.type = GgufType::ARRAY;
    nested.elem_type = GgufType::ARRAY;
    nested.items = {GgufValue::make_i32_array({1, 2}), GgufValue::make_i32_array({})};
    w.set("a.nested", nested);
    w.set("s.str", GgufValue::make_string("replaced"));  // replaces, keeps position
    w.set_alignment(64);

    std::vector<float> f32(3 * 5);
    for (size_t i = 0; i < f32.size(); ++i) f32[i] = (float)i * 0.5f;
    std::vector<uint16_t> f16(7, 0x3c00);
    std::vector<uint8_t> q4(2 * 18, 0xab);  // two Q4_0 blocks
    w.add_tensor("t.f32", DType::F32, {3, 5}, f32.data());
    w.add_tensor("t.f16", DType::F16, {7}, f16.data());
    w.add_tensor("t.q4", DType::Q4_0, {64, 1}, q4.data());
    const std::string path = dir.file("rt.gguf");
    ASSERT_TRUE(w.write(path).is_ok());
    EXPECT_FALSE(file_exists(path + ".tmp"));

    auto r = GgufReader::open(path);
    ASSERT_TRUE(r) << r.error();
    const GgufReader& g = **r;
    EXPECT_EQ(g.alignment(), 64u);
    for (const Scalar& s : scalars) {
        const GgufValue* x = g.find(std::string("s.") + gguf_type_name(s.t));
        ASSERT_NE(x, nullptr);
        EXPECT_EQ(x->type, s.t);
        EXPECT_EQ(x->u, s.u);
        EXPECT_EQ(x->i, s.i);
        EXPECT_EQ(x->f, s.t == GgufType::FLOAT32 ? (double)(float)s.f : s.f);
    }
    EXPECT_EQ(g.get_string("s.str"), "replaced");
    EXPECT_EQ(g.metadata()[11].key, "s.str");
    EXPECT_EQ(g.find("a.str")->strs, (std::vector<std::string>{"a", "", "ccc"}));
    EXPECT_EQ(g.find("a.f32")->floats, (std::vector<double>{1.0, -2.5}));
    EXPECT_EQ(g.find("a.i32")->ints, (std::vector<int64_t>{-1, 2, -3}));
    const GgufValue* n = g.find("a.nested");
    ASSERT_EQ(n->items.size(), 2u);
    EXPECT_EQ(n->items[0].ints, (std::vector<int64_t>{1, 2}));
    EXPECT_TRUE(n->items[1].ints.empty());

    const GgufTensorInfo* t = g.find_tensor("t.f32");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(std::memcmp(g.tensor_data(*t), f32.data(), f32.size() * 4), 0);
    t = g.find_tensor("t.f16");
    EXPECT_EQ(std::memcmp(g.tensor_data(*t), f16.data(), f16.size() * 2), 0);
    t = g.find_tensor("t.q4");
    EXPECT_EQ(t->type, DType::Q4_0);
    EXPECT_EQ(std::memcmp(g.tensor_data(*t), q4.data(), q4.size()), 0);
    for (const auto& ti : g.tensors()) EXPECT_EQ(ti.offset % 64, 0u);
}

TEST(GgufWriter, FailedFillLeavesNoFile) {
    testing::TempDir dir;
    const std::string path = dir.file("out.gguf");
    GgufWriter w;
    w.set("general.architecture", GgufValue::make_string("llama"));
    std::vector<float> ok(4, 1.0f);
    w.add_tensor("ok", DType::F32, {4}, ok.data());
    w.add_tensor("bad", DType::F32, {4},
                 [](uint8_t*, size_t) { return Status::error("disk on fire"); });
    Status s = w.write(path);
    ASSERT_FALSE(s.is_ok());
    EXPECT_NE(s.message().find("disk on fire"), std::string::npos);
    EXPECT_FALSE(file_exists(path));
    EXPECT_FALSE(file_exists(path + ".tmp"));
}

TEST(GgufWriter, RejectsRowsNotMultipleOfBlock) {
    testing::TempDir dir;
    GgufWriter w;
    std::vector<uint8_t> q(18);
    w.add_tensor("q", DType::Q4_0, {48}, q.data());
    EXPECT_FALSE(w.write(dir.file("x.gguf")).is_ok());
    EXPECT_FALSE(file_exists(dir.file("x.gguf")));
}

}  // namespace
}  // namespace lamina
