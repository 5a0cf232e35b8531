#include "warehouse/duckdb.h"

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <sys/types.h>

#include <filesystem>
#include <string>

namespace playlake::warehouse {
namespace {

std::unique_ptr<Connection> Connect(Database& db) {
  auto conn = db.Connect();
  EXPECT_TRUE(conn.has_value());
  return std::move(*conn);
}

// Freed memory kept 30 s: read back from DuckDB's jemalloc. (Measured in a
// build after 10,000 plays on the benchmark's warehouse: with jemalloc's own
// decay 710 MB went back to the system and were faulted in again, with 30 s
// 105 MB; a unit test's queries are too few to show it.)
TEST(DuckDb, KeepsFreedMemoryForTheNextQuery) {
  auto db = Database::Open("");
  ASSERT_TRUE(db.has_value()) << db.error().message;
  using Mallctl = int (*)(const char*, void*, std::size_t*, void*, std::size_t);
  const auto mallctl = reinterpret_cast<Mallctl>(dlsym(RTLD_DEFAULT, "duckdb_je_mallctl"));
  ASSERT_NE(mallctl, nullptr) << "libduckdb has no jemalloc of its own";
  for (const char* name : {"arenas.dirty_decay_ms", "arenas.muzzy_decay_ms",
                           "arena.0.dirty_decay_ms", "arena.0.muzzy_decay_ms"}) {
    ssize_t ms = 0;
    std::size_t size = sizeof(ms);
    ASSERT_EQ(mallctl(name, &ms, &size, nullptr, 0), 0) << name;
    EXPECT_EQ(ms, 30000) << name;
  }
}

// Row groups of a table with most of its rows deleted, after a checkpoint of a
// database opened with `vacuum`.
long RowGroupsAfterDeletes(const std::filesystem::path& file, bool vacuum) {
  DatabaseOptions options;
  options.vacuum = vacuum;
  auto db = Database::Open(file.string(), options);
  EXPECT_TRUE(db.has_value()) << db.error().message;
  auto conn = Connect(**db);
  EXPECT_TRUE(conn->Execute("CREATE TABLE t AS SELECT range AS i FROM range(400000)"));
  EXPECT_TRUE(conn->Execute("CHECKPOINT"));
  EXPECT_TRUE(conn->Execute("DELETE FROM t WHERE i % 10 <> 0"));
  EXPECT_TRUE(conn->Execute("CHECKPOINT"));
  auto groups =
      conn->QueryScalar("SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('t')");
  EXPECT_TRUE(groups) << groups.error().message;
  return groups ? std::stol(*groups) : -1;
}

TEST(DuckDb, ACheckpointWithoutVacuumLeavesDeletedRowsInTheirRowGroups) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("playlake-vacuum-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  // 400,000 rows: 4 row groups; nine in ten deleted fit in one.
  EXPECT_EQ(RowGroupsAfterDeletes(dir / "vacuum.duckdb", true), 1);
  EXPECT_EQ(RowGroupsAfterDeletes(dir / "kept.duckdb", false), 4);
  std::filesystem::remove_all(dir);
}

TEST(DuckDb, WritesParquetAndReadsItBack) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("playlake-duckdb-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "plays.parquet").string();

  auto db = Database::Open("");
  ASSERT_TRUE(db.has_value()) << db.error().message;
  auto conn = Connect(**db);
  ASSERT_TRUE(conn->Execute("CREATE TABLE plays AS SELECT i AS id, 'track ' || i AS name, "
                            "i * 1.5 AS score FROM range(1000) t(i)"));
  ASSERT_TRUE(conn->Execute("COPY plays TO " + QuoteLiteral(file) +
                            " (FORMAT parquet, COMPRESSION zstd)"));
  ASSERT_TRUE(std::filesystem::file_size(file) > 0);

  auto fresh = Database::Open("");
  ASSERT_TRUE(fresh.has_value());
  auto reader = Connect(**fresh);
  auto table = reader->Query("SELECT count(*) AS n, sum(id) AS total, max(name) AS last, "
                             "sum(score) AS score FROM read_parquet(" + QuoteLiteral(file) + ")");
  ASSERT_TRUE(table.has_value()) << table.error().message;
  ASSERT_EQ(table->rows.size(), 1u);
  EXPECT_EQ(table->columns[0].name, "n");
  EXPECT_EQ(table->columns[0].kind, ColumnKind::kInteger);
  EXPECT_EQ(table->columns[3].kind, ColumnKind::kFloat);
  EXPECT_EQ(*table->rows[0][0], "1000");
  EXPECT_EQ(*table->rows[0][1], "499500");
  EXPECT_EQ(*table->rows[0][2], "track 999");
  EXPECT_EQ(*table->rows[0][3], "749250.0");
  std::filesystem::remove_all(dir);
}

TEST(DuckDb, ReportsSqlErrorsAsValues) {
  auto db = Database::Open("");
  ASSERT_TRUE(db.has_value());
  auto conn = Connect(**db);
  auto result = conn->Query("SELECT * FROM no_such_table");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kWarehouse);
  EXPECT_NE(result.error().message.find("no_such_table"), std::string::npos);
}

TEST(DuckDb, NullsAreDistinctFromEmptyStrings) {
  auto db = Database::Open("");
  ASSERT_TRUE(db.has_value());
  auto conn = Connect(**db);
  auto table = conn->Query("SELECT NULL::VARCHAR AS a, '' AS b");
  ASSERT_TRUE(table.has_value());
  EXPECT_FALSE(table->rows[0][0].has_value());
  EXPECT_EQ(table->rows[0][1], std::optional<std::string>(""));
}

TEST(DuckDb, QuotesLiteralsAndIdentifiers) {
  EXPECT_EQ(QuoteLiteral("it's"), "'it''s'");
  EXPECT_EQ(QuoteIdentifier("my \"t\""), "\"my \"\"t\"\"\"");
  auto db = Database::Open("");
  ASSERT_TRUE(db.has_value());
  auto conn = Connect(**db);
  EXPECT_EQ(conn->QueryScalar("SELECT " + QuoteLiteral("O'Brien; DROP TABLE x") + " AS v"),
            "O'Brien; DROP TABLE x");
}

TEST(DuckDb, BindsParametersInsteadOfConcatenating) {
  auto db = Database::Open("");
  ASSERT_TRUE(db.has_value());
  auto conn = Connect(**db);
  ASSERT_TRUE(conn->Execute("CREATE TABLE t AS SELECT * FROM (VALUES ('SE', DATE '2026-01-02'), "
                            "('US', DATE '2026-01-03')) v(country, day)"));
  auto hostile = conn->Query("SELECT count(*) FROM t WHERE country = ?", {"SE' OR '1'='1"});
  ASSERT_TRUE(hostile.has_value()) << hostile.error().message;
  EXPECT_EQ(*hostile->rows[0][0], "0");
  auto typed = conn->Query("SELECT country FROM t WHERE day >= ?::DATE AND (? IS NULL OR country = ?)",
                           {"2026-01-03", std::nullopt, std::nullopt});
  ASSERT_TRUE(typed.has_value()) << typed.error().message;
  ASSERT_EQ(typed->rows.size(), 1u);
  EXPECT_EQ(*typed->rows[0][0], "US");
  auto wrong_count = conn->Query("SELECT ?", {});
  ASSERT_FALSE(wrong_count.has_value());
  auto bad_sql = conn->Query("SELEC ?", {"x"});
  ASSERT_FALSE(bad_sql.has_value());
  EXPECT_EQ(bad_sql.error().code, ErrorCode::kWarehouse);
}

TEST(DuckDb, OpenFailsWithAClearMessage) {
  auto db = Database::Open("/nonexistent-dir/x/y.duckdb");
  ASSERT_FALSE(db.has_value());
  EXPECT_NE(db.error().message.find("/nonexistent-dir/x/y.duckdb"), std::string::npos);
}

}  // namespace
}  // namespace playlake::warehouse

namespace playlake::warehouse {
namespace {

TEST(DuckDb, InstantsRenderAsUtcText) {
  auto db = Database::Open(":memory:");
  ASSERT_TRUE(db);
  auto conn = (*db)->Connect();
  ASSERT_TRUE(conn);
  auto table = (*conn)->Query(
      "SELECT TIMESTAMPTZ '2024-03-01 12:34:56.789+02' AS t, TIMESTAMPTZ '1969-12-31 23:59:59+00' AS before_epoch, "
      "TIMESTAMPTZ '2024-03-01 00:00:00+00' AS whole, TIMESTAMP '2024-03-01 12:00:00' AS plain, "
      "INTERVAL 3 DAY AS i, TIME '01:02:03' AS tm");
  ASSERT_TRUE(table) << table.error().message;
  ASSERT_EQ(table->rows.size(), 1u);
  const auto& row = table->rows[0];
  EXPECT_EQ(row[0], "2024-03-01 10:34:56.789+00");
  EXPECT_EQ(row[1], "1969-12-31 23:59:59+00");
  EXPECT_EQ(row[2], "2024-03-01 00:00:00+00");
  EXPECT_EQ(row[3], "2024-03-01 12:00:00");
  EXPECT_EQ(row[4], "3 days");
  EXPECT_EQ(row[5], "01:02:03");
}

}  // namespace
}  // namespace playlake::warehouse
