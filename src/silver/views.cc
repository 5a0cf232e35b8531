#include "silver/views.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <set>

#include "silver/table_writer.h"
#include "sources/tables.h"
#include "spotify/silver_tables.h"

namespace playlake::silver {

namespace {

std::string ReadParquetSql(const std::vector<std::string>& urls, bool hive_partitioning) {
  std::string list;
  for (const auto& u : urls) list += (list.empty() ? "" : ", ") + warehouse::QuoteLiteral(u);
  return fmt::format("read_parquet([{}], hive_partitioning = {}, union_by_name = true)", list,
                     hive_partitioning ? "true" : "false");
}

// A view named `view_name` with `columns` (name, DuckDB type) over `urls`;
// the columns in `absent` (no file has them) are NULL.
std::string ColumnsViewSql(const std::vector<std::pair<std::string, std::string>>& columns,
                           const std::vector<std::string>& urls, const std::string& view_name,
                           bool hive_partitioning, const std::set<std::string>& absent = {}) {
  std::string list_of_columns;
  for (const auto& [name, type] : columns) {
    if (!list_of_columns.empty()) list_of_columns += ", ";
    const std::string source =
        urls.empty() || absent.contains(name) ? "NULL" : warehouse::QuoteIdentifier(name);
    list_of_columns += fmt::format("CAST({} AS {}) AS {}", source, type,
                                   warehouse::QuoteIdentifier(name));
  }
  if (urls.empty()) {
    return fmt::format("CREATE OR REPLACE VIEW {} AS SELECT {} WHERE false",
                       warehouse::QuoteIdentifier(view_name), list_of_columns);
  }
  return fmt::format("CREATE OR REPLACE VIEW {} AS SELECT {} FROM {}",
                     warehouse::QuoteIdentifier(view_name), list_of_columns,
                     ReadParquetSql(urls, hive_partitioning));
}

// The `columns` that no file of `urls` has: a column added to a table after
// its files were written (their readers see it as NULL).
Result<std::set<std::string>> AbsentColumns(
    warehouse::Connection& connection,
    const std::vector<std::pair<std::string, std::string>>& columns,
    const std::vector<std::string>& urls, bool hive_partitioning) {
  auto described = connection.Query("DESCRIBE SELECT * FROM " +
                                    ReadParquetSql(urls, hive_partitioning));
  if (!described) return tl::unexpected(described.error());
  std::set<std::string> absent;
  for (const auto& column : columns) absent.insert(column.first);
  for (const auto& row : described->rows) {
    if (!row.empty() && row[0]) absent.erase(*row[0]);
  }
  return absent;
}

}  // namespace

std::string ViewSql(const sources::TableSpec& spec, const std::vector<std::string>& urls,
                    const std::string& view_name) {
  std::vector<std::pair<std::string, std::string>> columns;
  for (const auto& c : spec.columns) columns.emplace_back(std::string(c.name), SqlType(c.type));
  return ColumnsViewSql(columns, urls, view_name, spec.partition >= 0);
}

namespace {

// DuckDB estimates the rows of a read_parquet list as the first file's rows
// times the number of files. Silver files hold anything from one late event to
// a day of plays, so the list sorted by key could start with a one-row file:
// the 5M plays of the benchmark were estimated at 23k, and the join planner
// then built its hash tables on the plays instead of the catalog (songplays
// 2.5x slower). The smallest file at or above the mean goes first, so the
// estimate is at least the real count and close to it.
void PutTypicalFileFirst(std::vector<lake::DataFile>& files) {
  std::int64_t total = 0;
  for (const auto& f : files) total += f.rows;
  const auto n = static_cast<std::int64_t>(files.size());
  auto typical = files.end();
  for (auto f = files.begin(); f != files.end(); ++f) {
    if (f->rows * n >= total && (typical == files.end() || f->rows < typical->rows)) typical = f;
  }
  if (typical != files.end()) std::rotate(files.begin(), typical, typical + 1);
}

}  // namespace

Status CreateSilverViews(warehouse::Connection& connection, const lake::Lake& lake) {
  // The Spotify Web API source's tables (spotify_plays, ...) are views like
  // the others; their files are not partitioned.
  struct View {
    std::string name;
    std::vector<std::pair<std::string, std::string>> columns;  // name, DuckDB type
    bool partitioned = false;
  };
  std::vector<View> views;
  for (const sources::TableSpec* spec : sources::AllTables()) {
    View& view = views.emplace_back(View{std::string(spec->name), {}, spec->partition >= 0});
    for (const auto& c : spec->columns) view.columns.emplace_back(c.name, SqlType(c.type));
  }
  for (const spotify::SilverTableSpec* spec : spotify::AllSilverTables()) {
    View& view = views.emplace_back(View{spec->name, {}, false});
    for (const auto& c : spec->columns) view.columns.emplace_back(c.name, c.sql_type);
  }
  // One read of the commit log for every view; on S3 the files not cached yet
  // are fetched together first.
  auto entries = lake.Entries("silver");
  if (!entries) return tl::unexpected(entries.error());
  std::vector<lake::DataFile> live = lake::LiveFiles(*entries);
  std::sort(live.begin(), live.end(),
            [](const lake::DataFile& a, const lake::DataFile& b) { return a.key < b.key; });
  lake::Storage& storage = const_cast<lake::Lake&>(lake).storage();
  std::vector<std::string> keys;
  for (const auto& f : live) keys.push_back(f.key);
  if (auto s = storage.Prefetch(keys); !s) return s;
  for (const auto& [name, columns, partitioned] : views) {
    std::vector<lake::DataFile> files;
    std::copy_if(live.begin(), live.end(), std::back_inserter(files),
                 [&](const lake::DataFile& f) { return f.table == name; });
    PutTypicalFileFirst(files);
    std::vector<std::string> urls;
    for (const auto& f : files) urls.push_back(storage.Url(f.key));
    auto created = connection.Execute(ColumnsViewSql(columns, urls, name, partitioned));
    if (!created && !urls.empty()) {
      // Files from before a column was added lack it: it is NULL in them.
      auto absent = AbsentColumns(connection, columns, urls, partitioned);
      if (absent && !absent->empty()) {
        created = connection.Execute(ColumnsViewSql(columns, urls, name, partitioned, *absent));
      }
    }
    if (!created) {
      return Fail(
          ErrorCode::kWarehouse,
          fmt::format("cannot create the silver view '{}': {}", name, created.error().message));
    }
  }
  return {};
}

Status CreateSilverSchema(warehouse::Connection& connection, const lake::Lake& lake) {
  if (auto s = connection.Execute("CREATE SCHEMA IF NOT EXISTS silver; SET schema = 'silver'");
      !s) {
    return s;
  }
  if (auto s = CreateSilverViews(connection, lake); !s) return s;
  return connection.Execute("SET schema = 'main'");
}

}  // namespace playlake::silver
