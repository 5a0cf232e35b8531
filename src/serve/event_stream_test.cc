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
  EventStream stream(3, 100);
  EXPECT_EQ(stream.last_id(), 100u);
  EXPECT_EQ(stream.oldest_id(), 101u);
  EXPECT_EQ(stream.Get(101).state, EventStream::Next::State::kNotYet);
  for (int i = 1; i <= 5; ++i) EXPECT_EQ(stream.Publish("e", std::to_string(i)), 100u + i);
  EXPECT_EQ(stream.last_id(), 105u);
  EXPECT_EQ(stream.oldest_id(), 103u);
  EXPECT_EQ(stream.Get(102).state, EventStream::Next::State::kGone);
  const auto next = stream.Get(103);
  ASSERT_EQ(next.state, EventStream::Next::State::kReady);
  EXPECT_EQ(*next.wire, "id: 103\nevent: e\ndata: 3\n\n");
  EXPECT_EQ(*stream.Get(105).wire, "id: 105\nevent: e\ndata: 5\n\n");
  EXPECT_EQ(stream.Get(106).state, EventStream::Next::State::kNotYet);
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
