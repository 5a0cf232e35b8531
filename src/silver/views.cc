#include "silver/views.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <set>

#include "silver/table_writer.h"
#include "sources/tables.h"
#include "spotify/silver_tables.h"

namespace playlake::silver {

namespace {

// A DuckDB list literal of `urls`.
std::string UrlList(const std::vector<std::string>& urls) {
  std::string list;
  for (const auto& u : urls) list += (list.empty() ? "" : ", ") + warehouse::QuoteLiteral(u);
  return '[' + list + ']';
}

using Columns = std::vector<std::pair<std::string, std::string>>;  // name, DuckDB type

// SELECT `columns` FROM `from`, each cast to its type; those in `absent` are NULL.
std::string SelectColumnsSql(const Columns& columns, const std::string& from,
                             const std::set<std::string>& absent = {}) {
  std::string list_of_columns;
  for (const auto& [name, type] : columns) {
    if (!list_of_columns.empty()) list_of_columns += ", ";
    const std::string source =
        from.empty() || absent.contains(name) ? "NULL" : warehouse::QuoteIdentifier(name);
    list_of_columns += fmt::format("CAST({} AS {}) AS {}", source, type,
                                   warehouse::QuoteIdentifier(name));
  }
  if (from.empty()) return fmt::format("SELECT {} WHERE false", list_of_columns);
  return fmt::format("SELECT {} FROM {}", list_of_columns, from);
}

// The files of `files` grouped by their columns (name and type), with each
// group's column names. Files written before a column was added lack it.
// read_parquet over files of one schema binds on the first file alone, where
// `union_by_name` reads every file's schema at each bind: with 400 files
// that was 0.1-0.2 s per model reading silver, several times per model.
struct SchemaGroup {
  std::set<std::string> names;
  std::vector<lake::DataFile> files;
};

// Reads the footer of one file per schema fingerprint the manifests record,
// and of every file that has none (written by an older playlake): reading
// all 400 footers of a lake cost 0.16-0.4 s at every start.
Result<std::vector<SchemaGroup>> GroupBySchema(warehouse::Connection& connection,
                                               const std::vector<lake::DataFile>& files,
                                               const std::vector<std::string>& urls) {
  std::map<std::string, std::string> url_of_schema;  // fingerprint → the url read for it
  std::vector<std::string> read;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (files[i].schema.empty() || url_of_schema.emplace(files[i].schema, urls[i]).second) {
      read.push_back(urls[i]);
    }
  }
  auto schema = connection.Query(fmt::format(
      "SELECT file_name, name, coalesce(duckdb_type, type, '') FROM parquet_schema({})",
      UrlList(read)));
  if (!schema) return tl::unexpected(schema.error());
  using FileColumns = std::set<std::pair<std::string, std::string>>;  // name, type
  std::map<std::string, FileColumns> columns_of;                        // by url
  for (const auto& row : schema->rows) {
    columns_of[row[0].value_or("")].emplace(row[1].value_or(""), row[2].value_or(""));
  }
  // Keyed by the columns read, so files with a fingerprint and files without
  // that have the same columns share one group.
  std::map<FileColumns, SchemaGroup> groups;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string& url = files[i].schema.empty() ? urls[i] : url_of_schema[files[i].schema];
    const auto found = columns_of.find(url);
    if (found == columns_of.end()) {
      return Fail(ErrorCode::kWarehouse, "no Parquet schema read for " + url);
    }
    SchemaGroup& group = groups[found->second];
    if (group.names.empty()) {
      for (const auto& [name, type] : found->second) group.names.insert(name);
    }
    group.files.push_back(files[i]);
  }
  std::vector<SchemaGroup> out;
  for (auto& [columns, group] : groups) out.push_back(std::move(group));
  return out;
}

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

// CreateSilverViews over the silver manifest entries `entries`.
Status CreateViews(warehouse::Connection& connection, const lake::Lake& lake,
                   const std::vector<lake::ManifestEntry>& entries) {
  // The Spotify Web API source's tables (spotify_plays, ...) are views like
  // the others; their files are not partitioned.
  struct View {
    std::string name;
    Columns columns;
    std::string partition;  // the Hive partition column (a folder name, not in the files), or ""
  };
  std::vector<View> views;
  for (const sources::TableSpec* spec : sources::AllTables()) {
    View& view = views.emplace_back(View{
        std::string(spec->name), {},
        spec->partition >= 0 ? std::string(spec->columns[spec->partition].name) : std::string()});
    for (const auto& c : spec->columns) view.columns.emplace_back(c.name, SqlType(c.type));
  }
  for (const spotify::SilverTableSpec* spec : spotify::AllSilverTables()) {
    View& view = views.emplace_back(View{spec->name, {}, {}});
    for (const auto& c : spec->columns) view.columns.emplace_back(c.name, c.sql_type);
  }
  // One read of the commit log for every view; on S3 the files not cached yet
  // are fetched together first.
  std::vector<lake::DataFile> live = lake::LiveFiles(entries);
  std::sort(live.begin(), live.end(),
            [](const lake::DataFile& a, const lake::DataFile& b) { return a.key < b.key; });
  lake::Storage& storage = const_cast<lake::Lake&>(lake).storage();
  std::vector<std::string> keys;
  for (const auto& f : live) keys.push_back(f.key);
  if (auto s = storage.Prefetch(keys); !s) return s;
  for (const auto& [name, columns, partition] : views) {
    std::vector<lake::DataFile> files;
    std::copy_if(live.begin(), live.end(), std::back_inserter(files),
                 [&](const lake::DataFile& f) { return f.table == name; });
    std::vector<std::string> urls;
    for (const auto& f : files) urls.push_back(storage.Url(f.key));
    // One SELECT per schema the files have, their union the view; a column a
    // group's files lack is NULL in it.
    std::string select = SelectColumnsSql(columns, "");
    if (!files.empty()) {
      auto groups = GroupBySchema(connection, files, urls);
      if (!groups) {
        return Fail(ErrorCode::kWarehouse, fmt::format("cannot read the schema of silver '{}': {}",
                                                       name, groups.error().message));
      }
      select.clear();
      for (auto& group : *groups) {
        PutTypicalFileFirst(group.files);
        std::vector<std::string> group_urls;
        for (const auto& f : group.files) group_urls.push_back(storage.Url(f.key));
        std::set<std::string> absent;
        for (const auto& [column, type] : columns) {
          if (column != partition && !group.names.contains(column)) absent.insert(column);
        }
        if (!select.empty()) select += " UNION ALL ";
        select += SelectColumnsSql(columns,
                                   fmt::format("read_parquet({}, hive_partitioning = {})",
                                               UrlList(group_urls), !partition.empty()),
                                   absent);
      }
    }
    if (auto created = connection.Execute(fmt::format(
            "CREATE OR REPLACE VIEW {} AS {}", warehouse::QuoteIdentifier(name), select));
        !created) {
      return Fail(
          ErrorCode::kWarehouse,
          fmt::format("cannot create the silver view '{}': {}", name, created.error().message));
    }
  }
  return {};
}

}  // namespace

Status CreateSilverViews(warehouse::Connection& connection, const lake::Lake& lake) {
  auto entries = lake.Entries("silver");
  if (!entries) return tl::unexpected(entries.error());
  return CreateViews(connection, lake, *entries);
}

Status CreateSilverSchema(warehouse::Connection& connection, const lake::Lake& lake) {
  auto entries = lake.Entries("silver");
  if (!entries) return tl::unexpected(entries.error());
  return CreateSilverSchema(connection, lake, *entries);
}

Status CreateSilverSchema(warehouse::Connection& connection, const lake::Lake& lake,
                          const std::vector<lake::ManifestEntry>& entries) {
  if (auto s = connection.Execute("CREATE SCHEMA IF NOT EXISTS silver; SET schema = 'silver'");
      !s) {
    return s;
  }
  if (auto s = CreateViews(connection, lake, entries); !s) return s;
  return connection.Execute("SET schema = 'main'");
}

}  // namespace playlake::silver
