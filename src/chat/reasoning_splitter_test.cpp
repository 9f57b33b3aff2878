// ReasoningSplitter: thinking and answer separated in a streamed reply, markers removed.
#include "chat/reasoning_splitter.h"

#include <gtest/gtest.h>

namespace lamina::chat {
namespace {

struct Split {
    std::string reasoning, content, order;  // order: 'r'/'c' per segment boundary
};

Split stream(ReasoningSplitter& s, const std::vector<std::string>& pieces) {
    Split out;
    auto take = [&](const std::vector<ReplySegment>& segs) {
        for (const ReplySegment& seg : segs) {
            (seg.reasoning ? out.reasoning : out.content) += seg.text;
            const char k = seg.reasoning ? 'r' : 'c';
            if (out.order.empty() || out.order.back() != k) out.order += k;
        }
    };
    for (const std::string& p : pieces) take(s.push(p));
    take(s.flush());
    return out;
}

TEST(ChatReasoningSplitter, ThinkBlockSplitAcrossPieces) {
    ReasoningSplitter s;
    Split r = stream(s, {"<th", "ink>Let me", " see.</thi", "nk>\n\nThe answer", " is 4."});
    EXPECT_EQ(r.reasoning, "Let me see.");
    EXPECT_EQ(r.content, "\n\nThe answer is 4.");
    EXPECT_EQ(r.order, "rc");
}

TEST(ChatReasoningSplitter, PartialMarkerIsHeldNotShown) {
    ReasoningSplitter s;
    auto segs = s.push("Hi <thi");
    ASSERT_EQ(segs.size(), 1u);
    EXPECT_EQ(segs[0].text, "Hi ");
    EXPECT_FALSE(segs[0].reasoning);
    // Not a marker after all: released as answer text.
    Split r = stream(s, {"ng"});
    EXPECT_EQ(r.content, "<thing");
}

TEST(ChatReasoningSplitter, PromptThatOpensThinking) {
    // DeepSeek R1 and Qwen 3 templates end the generation prompt with "<think>\n".
    ReasoningSplitter s;
    EXPECT_TRUE(s.start_after_prompt("<|im_start|>assistant\n<think>\n"));
    Split r = stream(s, {"hmm", "</think>", "ok"});
    EXPECT_EQ(r.reasoning, "hmm");
    EXPECT_EQ(r.content, "ok");
}

TEST(ChatReasoningSplitter, OtherFamiliesMarkers) {
    ReasoningSplitter a;
    Split r = stream(a, {"[THINK]plan[/THINK]do"});
    EXPECT_EQ(r.reasoning, "plan");
    EXPECT_EQ(r.content, "do");
    ReasoningSplitter b;
    r = stream(b, {"<seed:think>x</seed:think>y"});
    EXPECT_EQ(r.reasoning, "x");
    EXPECT_EQ(r.content, "y");
    // Inside a block only its own closing marker ends it.
    ReasoningSplitter c;
    r = stream(c, {"<think>a[/THINK]b</think>c"});
    EXPECT_EQ(r.reasoning, "a[/THINK]b");
    EXPECT_EQ(r.content, "c");
}

TEST(ChatReasoningSplitter, NoMarkersIsAllContent) {
    ReasoningSplitter s;
    EXPECT_FALSE(s.start_after_prompt("<|im_start|>assistant\n"));
    Split r = stream(s, {"plain ", "answer <"});
    EXPECT_EQ(r.content, "plain answer <");
    EXPECT_EQ(r.reasoning, "");
}

}  // namespace
}  // namespace lamina::chat
