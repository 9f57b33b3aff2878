// -e: the escapes llama.cpp processes in prompts (\n, \t, quotes, backslash, \xHH).
#include "cli/escapes.h"

#include <gtest/gtest.h>

namespace lamina::cli {
namespace {

TEST(CliEscapes, NamedAndHexEscapes) {
    EXPECT_EQ(process_escapes(R"(a\nb\tc)"), "a\nb\tc");
    EXPECT_EQ(process_escapes(R"(\r\a\b\f\v)"), "\r\a\b\f\v");
    EXPECT_EQ(process_escapes(R"(say \"hi\" \'x\' \\ \?)"), "say \"hi\" 'x' \\ ?");
    EXPECT_EQ(process_escapes(R"(\x41\x4a\x7)"), "AJ\x07");
    EXPECT_EQ(process_escapes(R"(\x414)"), "A4");  // at most two hex digits
}

TEST(CliEscapes, WhatIsNotAnEscapeStaysAsWritten) {
    EXPECT_EQ(process_escapes(R"(C:\path\qux)"), R"(C:\path\qux)");
    EXPECT_EQ(process_escapes(R"(end\)"), R"(end\)");
    EXPECT_EQ(process_escapes(R"(\xg)"), R"(\xg)");
    EXPECT_EQ(process_escapes(""), "");
}

}  // namespace
}  // namespace lamina::cli
