#include "common/input_formats.h"

#include <gtest/gtest.h>

namespace playlake {
namespace {

TEST(InputFormats, KnowsEveryFormatAndAutoOnlyWhereAllowed) {
  for (std::string_view name : kInputFormatNames) EXPECT_TRUE(IsInputFormatName(name, false));
  EXPECT_TRUE(IsInputFormatName("auto", true));
  EXPECT_FALSE(IsInputFormatName("auto", false));
  EXPECT_FALSE(IsInputFormatName("json", true));
  EXPECT_FALSE(IsInputFormatName("CSV", true));
  EXPECT_FALSE(IsInputFormatName("", true));
}

TEST(InputFormats, ListsTheNamesInOrder) {
  EXPECT_EQ(InputFormatList(true),
            "auto, playlake, eventsim, msd-song, spotify-history, spotify-legacy, csv, "
            "playlake-catalog");
  EXPECT_EQ(InputFormatList(false),
            "playlake, eventsim, msd-song, spotify-history, spotify-legacy, csv, playlake-catalog");
  const auto choices = InputFormatChoices(true);
  ASSERT_EQ(choices.size(), kInputFormatNames.size() + 1);
  EXPECT_EQ(choices.front(), "auto");
  EXPECT_EQ(choices.back(), "playlake-catalog");
}

}  // namespace
}  // namespace playlake
