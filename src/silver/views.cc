#include "silver/views.h"

#include <fmt/format.h>

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

Status CreateSilverViews(warehouse::Connection& connection, const lake::Lake& lake) {
  for (const sources::TableSpec* spec : sources::AllTables()) {
    auto keys = lake.CommittedFiles("silver", std::string(spec->name));
    if (!keys) return tl::unexpected(keys.error());
    std::vector<std::string> urls;
    for (const auto& k : *keys) urls.push_back(const_cast<lake::Lake&>(lake).storage().Url(k));
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
