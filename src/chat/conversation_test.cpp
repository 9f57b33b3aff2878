// Conversation: turns, system prompt, dropping old turns and the JSON round trip.
#include "chat/conversation.h"

#include <gtest/gtest.h>

namespace lamina::chat {
namespace {

TEST(ChatConversation, DropOldestTurnKeepsSystemAndLastMessage) {
    Conversation c;
    c.set_system("be brief");
    c.add_user("one");
    c.add_assistant("1", "");
    c.add_user("two");
    c.add_assistant("2", "thought");
    c.add_user("three");
    ASSERT_TRUE(c.drop_oldest_turn());
    ASSERT_EQ(c.size(), 4u);
    EXPECT_EQ(c.messages()[0]["content"], "be brief");
    EXPECT_EQ(c.messages()[1]["content"], "two");
    EXPECT_EQ(c.messages()[2]["reasoning_content"], "thought");
    ASSERT_TRUE(c.drop_oldest_turn());
    EXPECT_FALSE(c.drop_oldest_turn());  // only the last user message is left
    EXPECT_EQ(c.size(), 2u);
    EXPECT_EQ(c.back()["content"], "three");
}

TEST(ChatConversation, SystemClearAndRegen) {
    Conversation c;
    c.add_user("hi");
    c.add_assistant("hello", "");
    c.set_system("sys");
    EXPECT_EQ(c.messages()[0]["role"], "system");
    EXPECT_TRUE(c.drop_last_reply());
    EXPECT_FALSE(c.drop_last_reply());
    c.clear();
    EXPECT_EQ(c.size(), 1u);
    EXPECT_EQ(c.system(), "sys");
    c.set_system("");
    EXPECT_EQ(c.size(), 0u);
}

TEST(ChatConversation, JsonRoundTrip) {
    Conversation c;
    c.set_system("sys \"quoted\"");
    c.add_user("héllo\nworld");
    c.add_assistant("answer", "because");
    auto back = Conversation::from_json(c.to_json());
    ASSERT_TRUE(back) << back.error();
    EXPECT_EQ(back->messages(), c.messages());
    // The OpenAI shape: a list of role/content objects.
    auto parsed = nlohmann::ordered_json::parse(c.to_json());
    EXPECT_EQ(parsed[2]["role"], "assistant");
    EXPECT_EQ(parsed[2]["reasoning_content"], "because");
}

TEST(ChatConversation, BadJsonIsAClearError) {
    EXPECT_EQ(Conversation::from_json("{").error(), "not valid JSON");
    EXPECT_EQ(Conversation::from_json("{}").error(), "expected a JSON list of messages");
    EXPECT_EQ(Conversation::from_json("[{\"content\":\"x\"}]").error(),
              "message 1 has no \"role\" string");
    EXPECT_EQ(Conversation::from_json("[{\"role\":\"robot\",\"content\":\"x\"}]").error(),
              "message 1 has an unknown role 'robot'");
}

}  // namespace
}  // namespace lamina::chat
