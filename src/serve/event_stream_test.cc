#include "serve/event_stream.h"

#include <gtest/gtest.h>

namespace playlake::serve {
namespace {

TEST(EventStream, FormatsIdTypeAndEachDataLine) {
  EXPECT_EQ(EventStream::Format(7, "snapshot", "{\"a\":1}"),
            "id: 7\nevent: snapshot\ndata: {\"a\":1}\n\n");
  EXPECT_EQ(EventStream::Format(8, "x\ny", "one\r\ntwo\nthree"),
            "id: 8\nevent: x y\ndata: one\ndata: two\ndata: three\n\n");
  EXPECT_EQ(EventStream::Format(0, "", ""), "data: \n\n");
}

TEST(EventStream, IdsFollowOnAndTheRingKeepsTheLastEvents) {
  using State = EventStream::Next::State;
  EventStream stream(3, 100);
  EXPECT_EQ(stream.last_id(), 100u);
  EXPECT_EQ(stream.After(100).state, State::kNotYet);
  EXPECT_EQ(stream.After(99).state, State::kGone);  // before the stream's first id
  for (int i = 1; i <= 5; ++i) EXPECT_EQ(stream.Publish("e", std::to_string(i)), 100u + i);
  EXPECT_EQ(stream.last_id(), 105u);
  EXPECT_EQ(stream.After(101).state, State::kGone);  // 102 left the ring
  EXPECT_TRUE(stream.Missed(101));
  EXPECT_FALSE(stream.Missed(102));
  const auto next = stream.After(102);
  ASSERT_EQ(next.state, State::kReady);
  EXPECT_EQ(next.id, 103u);
  EXPECT_EQ(*next.wire, "id: 103\nevent: e\ndata: 3\n\n");
  EXPECT_EQ(*stream.After(104).wire, "id: 105\nevent: e\ndata: 5\n\n");
  EXPECT_EQ(stream.After(105).state, State::kNotYet);
}

TEST(EventStream, PublishedAtIdsSkipAndOnlyGrow) {
  using State = EventStream::Next::State;
  EventStream stream(2);
  EXPECT_TRUE(stream.PublishAt(300, "s", "a"));
  EXPECT_TRUE(stream.PublishAt(1200, "s", "b"));
  EXPECT_FALSE(stream.PublishAt(1200, "s", "again"));
  EXPECT_FALSE(stream.PublishAt(700, "s", "older"));
  EXPECT_EQ(stream.last_id(), 1200u);
  // A client that saw 500 (e.g. from a publisher before a restart) gets 1200.
  const auto next = stream.After(500);
  ASSERT_EQ(next.state, State::kReady);
  EXPECT_EQ(next.id, 1200u);
  EXPECT_EQ(stream.After(1200).state, State::kNotYet);
  EXPECT_EQ(stream.After(5000).state, State::kNotYet);  // waits for ids past it
  EXPECT_EQ(stream.Publish("s", "c"), 1201u);
  EXPECT_EQ(stream.After(299).state, State::kGone);  // 300 left the ring
  EXPECT_EQ(stream.After(300).id, 1200u);
}

TEST(EventStream, ListenersHearEveryPublication) {
  EventStream stream(2);
  int heard = 0;
  stream.AddListener([&heard] { ++heard; });
  stream.Publish("a", "1");
  stream.Publish("a", "2");
  EXPECT_EQ(heard, 2);
}

}  // namespace
}  // namespace playlake::serve
