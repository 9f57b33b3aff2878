// general.file_type names, checked against llama.cpp's llama_model_ftype_name for the same values.
#include "gguf/file_type.h"

#include <gtest/gtest.h>

#include "gguf/gguf_reader.h"
#include "testing/shared_data.h"

namespace lamina {
namespace {

TEST(GgufFileType, NamesAsLlamaCppPrintsThem) {
    EXPECT_EQ(file_type_name(0), "all F32");
    EXPECT_EQ(file_type_name(1), "F16");
    EXPECT_EQ(file_type_name(2), "Q4_0");
    EXPECT_EQ(file_type_name(7), "Q8_0");
    EXPECT_EQ(file_type_name(10), "Q2_K - Medium");
    EXPECT_EQ(file_type_name(12), "Q3_K - Medium");
    EXPECT_EQ(file_type_name(14), "Q4_K - Small");
    EXPECT_EQ(file_type_name(15), "Q4_K - Medium");
    EXPECT_EQ(file_type_name(17), "Q5_K - Medium");
    EXPECT_EQ(file_type_name(18), "Q6_K");
    EXPECT_EQ(file_type_name(32), "BF16");
    EXPECT_EQ(file_type_name(1024 + 15), "Q4_K - Medium (guessed)");
    EXPECT_EQ(file_type_name(999), "unknown file type 999");
}

TEST(GgufFileType, ReadFromAFileLlamaCppQuantized) {
    // llama-quantize wrote this file as Q4_K_M; its largest tensors are Q6_K and Q4_K.
    LAMINA_SHARED_FILE_OR_SKIP(path, "fixtures/rand-fix256-Q4_K_M.gguf");
    auto g = GgufReader::open(path);
    ASSERT_TRUE(g) << g.error();
    EXPECT_EQ(file_type_of(**g), "Q4_K - Medium");
}

}  // namespace
}  // namespace lamina
