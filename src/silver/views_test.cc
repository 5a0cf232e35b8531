// The silver views over the lake's committed files.
#include "silver/views.h"

#include <gtest/gtest.h>

#include <fstream>

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

// A lake of plays files in Hive partitions, committed by hand with the
// schema fingerprint each file is given.
struct PlaysLake {
  PlaysLake() {
    lake = std::move(*lake::Lake::OpenLocal(dir.path(), {}));
    db = std::move(*warehouse::Database::Open(":memory:"));
    conn = std::move(*db->Connect());
    entry.layer = "silver";
    entry.batch_id = "batch-1";
    entry.source = "me";
  }
  void Write(const std::string& key, const std::string& select, std::int64_t rows,
             const std::string& schema) {
    std::filesystem::create_directories((dir.path() / key).parent_path());
    ASSERT_TRUE(conn->Execute("COPY (" + select + ") TO " +
                              warehouse::QuoteLiteral((dir.path() / key).string()) +
                              " (FORMAT parquet)"));
    entry.files.push_back(
        {"plays", key, rows, std::filesystem::file_size(dir.path() / key), schema});
  }
  playlake::testing::TempDir dir;
  std::unique_ptr<lake::Lake> lake;
  std::unique_ptr<warehouse::Database> db;
  std::unique_ptr<warehouse::Connection> conn;
  lake::ManifestEntry entry;
};

const std::string kOld = lake::SchemaFingerprint(
    {{"play_id", "VARCHAR"}, {"event_ts", "TIMESTAMPTZ"}});
const std::string kNew = lake::SchemaFingerprint(
    {{"play_id", "VARCHAR"}, {"event_ts", "TIMESTAMPTZ"}, {"user_id", "VARCHAR"}});

TEST(SilverViews, FilesWithAndWithoutASchemaFingerprintMakeOneSelectPerSchema) {
  // Files of two schemas, some committed with their fingerprint and some
  // without (written by an older playlake): a file without is grouped by the
  // columns its footer shows, with the files of the same columns that have one.
  PlaysLake p;
  p.Write("silver/plays/event_date=2026-01-05/a-old.parquet",
          "SELECT 'p1' AS play_id, TIMESTAMPTZ '2026-01-05 10:00:00+00' AS event_ts", 1, "");
  p.Write("silver/plays/event_date=2026-01-05/b-old.parquet",
          "SELECT TIMESTAMPTZ '2026-01-05 11:00:00+00' AS event_ts, 'p2' AS play_id", 1, kOld);
  p.Write("silver/plays/event_date=2026-01-06/c-new.parquet",
          "SELECT 'p3' AS play_id, TIMESTAMPTZ '2026-01-06 10:00:00+00' AS event_ts, "
          "'u3' AS user_id",
          1, kNew);
  p.Write("silver/plays/event_date=2026-01-06/d-new.parquet",
          "SELECT 'u4' AS user_id, 'p4' AS play_id, TIMESTAMPTZ '2026-01-06 11:00:00+00' AS "
          "event_ts",
          1, kNew);
  p.Write("silver/plays/event_date=2026-01-07/e-new.parquet",
          "SELECT 'p5' AS play_id, TIMESTAMPTZ '2026-01-07 10:00:00+00' AS event_ts, "
          "'u5' AS user_id",
          1, "");
  ASSERT_TRUE(*p.lake->Commit(p.entry));

  auto created = CreateSilverViews(*p.conn, *p.lake);
  ASSERT_TRUE(created) << created.error().message;
  auto rows = p.conn->Query(
      "SELECT play_id, event_date::VARCHAR, user_id FROM plays ORDER BY play_id");
  ASSERT_TRUE(rows) << rows.error().message;
  const std::vector<std::vector<std::optional<std::string>>> expected = {
      {"p1", "2026-01-05", std::nullopt}, {"p2", "2026-01-05", std::nullopt},
      {"p3", "2026-01-06", "u3"},         {"p4", "2026-01-06", "u4"},
      {"p5", "2026-01-07", "u5"}};
  EXPECT_EQ(rows->rows, expected);
  auto sql = p.conn->Query("SELECT sql FROM duckdb_views() WHERE view_name = 'plays'");
  ASSERT_TRUE(sql) << sql.error().message;
  ASSERT_EQ(sql->rows.size(), 1u);
  const std::string text = sql->rows[0][0].value_or("");
  std::size_t selects = 0;
  for (auto at = text.find("read_parquet("); at != std::string::npos;
       at = text.find("read_parquet(", at + 1)) {
    ++selects;
  }
  EXPECT_EQ(selects, 2u) << text;
}

TEST(SilverViews, OnlyOneFileOfEachSchemaFingerprintIsOpenedToCreateTheViews) {
  // The second file of a fingerprint is not readable: creating the views
  // does not open it (reading all the footers is what the fingerprint
  // saves); only a query of its rows does.
  PlaysLake p;
  p.Write("silver/plays/event_date=2026-01-05/a.parquet",
          "SELECT 'p' || i AS play_id, TIMESTAMPTZ '2026-01-05 10:00:00+00' AS event_ts, "
          "'u' AS user_id FROM range(3) t(i)",
          3, kNew);
  p.Write("silver/plays/event_date=2026-01-06/b.parquet",
          "SELECT 'p9' AS play_id, TIMESTAMPTZ '2026-01-06 10:00:00+00' AS event_ts, "
          "'u' AS user_id",
          1, kNew);
  ASSERT_TRUE(*p.lake->Commit(p.entry));
  std::ofstream(p.dir.path() / "silver/plays/event_date=2026-01-06/b.parquet", std::ios::trunc)
      << "not a Parquet file";

  auto created = CreateSilverViews(*p.conn, *p.lake);
  ASSERT_TRUE(created) << created.error().message;
  auto rows = p.conn->Query("SELECT count(*) FROM plays");
  ASSERT_FALSE(rows);
  EXPECT_NE(rows.error().message.find("b.parquet"), std::string::npos) << rows.error().message;
}

}  // namespace
}  // namespace playlake::silver
