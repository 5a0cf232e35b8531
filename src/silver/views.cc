#include "silver/views.h"

#include <fmt/format.h>

#include <algorithm>

#include "silver/table_writer.h"
#include "sources/tables.h"

namespace playlake::silver {

std::string ViewSql(const sources::TableSpec& spec, const std::vector<std::string>& urls,
                    const std::string& view_name) {
  std::string columns;
  for (const auto& c : spec.columns) {
    if (!columns.empty()) columns += ", ";
    const std::string source = urls.empty() ? "NULL" : warehouse::QuoteIdentifier(c.name);
    columns += fmt::format("CAST({} AS {}) AS {}", source, SqlType(c.type),
                           warehouse::QuoteIdentifier(c.name));
  }
  if (urls.empty()) {
    return fmt::format("CREATE OR REPLACE VIEW {} AS SELECT {} WHERE false",
                       warehouse::QuoteIdentifier(view_name), columns);
  }
  std::string list;
  for (const auto& u : urls) list += (list.empty() ? "" : ", ") + warehouse::QuoteLiteral(u);
  return fmt::format(
      "CREATE OR REPLACE VIEW {} AS SELECT {} FROM read_parquet([{}], hive_partitioning = {}, "
      "union_by_name = true)",
      warehouse::QuoteIdentifier(view_name), columns, list, spec.partition >= 0 ? "true" : "false");
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
  for (const sources::TableSpec* spec : sources::AllTables()) {
    auto files = lake.CommittedFiles("silver", std::string(spec->name));
    if (!files) return tl::unexpected(files.error());
    PutTypicalFileFirst(*files);
    std::vector<std::string> urls;
    for (const auto& f : *files) urls.push_back(const_cast<lake::Lake&>(lake).storage().Url(f.key));
    if (auto s = connection.Execute(ViewSql(*spec, urls, std::string(spec->name))); !s) {
      return Fail(ErrorCode::kWarehouse,
                  fmt::format("cannot create the silver view '{}': {}", spec->name, s.error().message));
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
