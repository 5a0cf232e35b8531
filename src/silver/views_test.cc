// The silver views over the lake's committed files.
#include "silver/views.h"

#include <gtest/gtest.h>

#include "lake/lake.h"
#include "testing/testing.h"
#include "warehouse/duckdb.h"

namespace playlake::silver {
namespace {

TEST(SilverViews, AColumnNoCommittedFileHasYetIsNull) {
  // A lake whose spotify_plays files were written before the table gained
  // its listener, names and length: they hold only the time and the track.
  playlake::testing::TempDir dir;
  auto lake = lake::Lake::OpenLocal(dir.path(), {});
  ASSERT_TRUE(lake) << lake.error().message;
  auto db = warehouse::Database::Open(":memory:");
  ASSERT_TRUE(db);
  auto conn = (*db)->Connect();
  ASSERT_TRUE(conn);
  const std::string key = "silver/spotify_plays/old.parquet";
  std::filesystem::create_directories(dir.path() / "silver/spotify_plays");
  ASSERT_TRUE((*conn)->Execute(
      "COPY (SELECT TIMESTAMPTZ '2026-01-05 10:00:00+00' AS played_at, 'track-1' AS track_id, "
      "'batch-1' AS batch_id) TO " +
      warehouse::QuoteLiteral((dir.path() / key).string()) + " (FORMAT parquet)"));
  lake::ManifestEntry entry;
  entry.layer = "silver";
  entry.batch_id = "batch-1";
  entry.source = "me";
  entry.files = {{"spotify_plays", key, 1, std::filesystem::file_size(dir.path() / key)}};
  ASSERT_TRUE(*(*lake)->Commit(entry));

  auto created = CreateSilverViews(**conn, **lake);
  ASSERT_TRUE(created) << created.error().message;
  auto row = (*conn)->Query(
      "SELECT count(*), count(user_id), count(duration_ms), any_value(track_id) FROM spotify_plays");
  ASSERT_TRUE(row) << row.error().message;
  ASSERT_EQ(row->rows.size(), 1u);
  EXPECT_EQ(row->rows[0][0], "1");
  EXPECT_EQ(row->rows[0][1], "0");
  EXPECT_EQ(row->rows[0][2], "0");
  EXPECT_EQ(row->rows[0][3], "track-1");
}

}  // namespace
}  // namespace playlake::silver
