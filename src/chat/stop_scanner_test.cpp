// StopScanner: stop strings found across streamed pieces, never shown, not even in part.
#include "chat/stop_scanner.h"

#include <gtest/gtest.h>

namespace lamina::chat {
namespace {

// Feeds `pieces` and returns everything shown, as a user would see it.
std::string stream(StopScanner& s, const std::vector<std::string>& pieces) {
    std::string shown;
    for (const std::string& p : pieces) shown += s.push(p);
    if (!s.stopped()) shown += s.flush();
    return shown;
}

TEST(ChatStopScanner, StopSplitOverPiecesIsNotShown) {
    StopScanner s({"STOP"});
    std::vector<std::string> shown;
    for (const char* p : {"Hello S", "T", "OP and more"}) shown.push_back(s.push(p));
    EXPECT_EQ(shown[0], "Hello ");  // "S" may start the stop: held back
    EXPECT_EQ(shown[1], "");
    EXPECT_EQ(shown[2], "");
    EXPECT_TRUE(s.stopped());
    EXPECT_EQ(s.matched(), "STOP");
    EXPECT_EQ(s.push("later"), "");
}

TEST(ChatStopScanner, HeldTextIsReleasedWhenItIsNotAStop) {
    StopScanner s({"STOP"});
    EXPECT_EQ(stream(s, {"ST", "ART", " ST"}), "START ST");
    EXPECT_FALSE(s.stopped());
}

TEST(ChatStopScanner, EarliestOfSeveralStopsWins) {
    StopScanner s({"world", "lo"});
    EXPECT_EQ(stream(s, {"Hello world"}), "Hel");
    EXPECT_EQ(s.matched(), "lo");
}

TEST(ChatStopScanner, MultibyteTextStaysWholeCharacters) {
    // "é" is C3 A9; the stop starts with "é" too, so the held tail must begin at C3.
    StopScanner s({"éé!"});
    std::string a = s.push("caf\xC3\xA9");
    EXPECT_EQ(a, "caf");
    std::string b = s.push("\xC3\xA9?");
    EXPECT_EQ(b, "\xC3\xA9\xC3\xA9?");
    EXPECT_FALSE(s.stopped());
}

TEST(ChatStopScanner, NoStopsPassesEverything) {
    StopScanner s({});
    EXPECT_EQ(s.push("abc"), "abc");
    EXPECT_EQ(s.flush(), "");
}

}  // namespace
}  // namespace lamina::chat
