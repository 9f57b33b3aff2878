// Hostile paths for the result files lamina reads back (LGT1 logits, KL base files): what is not
// a regular file is refused with one line instead of blocking or reading a directory.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "runtime/kl_base_file.h"
#include "runtime/logits_file.h"
#include "testing/temp_dir.h"

namespace lamina {
namespace {

TEST(HostileResultFiles, FifosAndDirectoriesAreRefused) {
    testing::TempDir dir;
    const std::string fifo = dir.file("fifo");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    for (const std::string& path : {fifo, dir.path().string()}) {
        auto lg = read_logits_file(path);
        ASSERT_FALSE(lg);
        EXPECT_NE(lg.error().find("not a regular file"), std::string::npos) << lg.error();
        auto kl = read_kl_base_file(path);
        ASSERT_FALSE(kl);
        EXPECT_NE(kl.error().find("not a regular file"), std::string::npos) << kl.error();
    }
}

}  // namespace
}  // namespace lamina
