// playlake sql: run a query over the lake's silver tables (views over
// committed files only) and print the result as a table, CSV or JSON.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "config/project.h"
#include "lake/lake.h"
#include "silver/views.h"
#include "warehouse/duckdb.h"
#include "warehouse/sharing.h"
#include "s3/open_lake.h"

namespace playlake::cli {
namespace {

struct SqlFlags {
  std::string query;
  std::string format = "table";
  std::string project = ".";
  std::string lake;
  bool gold = false;
};

std::string CsvField(const std::optional<std::string>& v) {
  if (!v) return "";
  if (v->find_first_of(",\"\n\r") == std::string::npos) return *v;
  std::string out = "\"";
  for (char c : *v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Lists, structs, maps, arrays and unions: values the engine hands over as
// text only through to_json.
bool IsNested(const warehouse::Column& column) {
  for (const char* type : {"LIST", "STRUCT", "MAP", "ARRAY", "UNION"}) {
    if (column.type == type) return true;
  }
  return false;
}

// Runs `query`; when its result has nested columns, runs it again with those
// columns as JSON text (the engine cannot render them otherwise), marking
// them in `json_columns`.
Result<warehouse::Table> QueryRenderable(warehouse::Connection& conn, const std::string& query,
                                         std::vector<bool>& json_columns) {
  auto table = conn.Query(query);
  if (!table) return table;
  json_columns.assign(table->columns.size(), false);
  std::string aliases, select;
  for (std::size_t c = 0; c < table->columns.size(); ++c) {
    const auto& column = table->columns[c];
    json_columns[c] = IsNested(column);
    const std::string alias = fmt::format("c{}", c);
    aliases += (c ? ", " : "") + alias;
    const std::string value = json_columns[c] ? "to_json(" + alias + ")::VARCHAR" : alias;
    select += (c ? ", " : "") + value + " AS " + warehouse::QuoteIdentifier(column.name);
  }
  if (std::find(json_columns.begin(), json_columns.end(), true) == json_columns.end()) {
    return table;
  }
  std::string inner = query;
  while (!inner.empty() &&
         (std::isspace(static_cast<unsigned char>(inner.back())) || inner.back() == ';')) {
    inner.pop_back();
  }
  return conn.Query(fmt::format("SELECT {} FROM ({}\n) AS q({})", select, inner, aliases));
}

std::string Render(const warehouse::Table& table, const std::vector<bool>& json_columns,
                   const std::string& format) {
  std::string out;
  if (format == "csv") {
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      out += (c ? "," : "") + CsvField(table.columns[c].name);
    }
    out += "\n";
    for (const auto& row : table.rows) {
      for (std::size_t c = 0; c < row.size(); ++c) out += (c ? "," : "") + CsvField(row[c]);
      out += "\n";
    }
    return out;
  }
  if (format == "json") {
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (const auto& row : table.rows) {
      nlohmann::ordered_json obj;
      for (std::size_t c = 0; c < row.size(); ++c) {
        const auto& col = table.columns[c];
        if (!row[c]) {
          obj[col.name] = nullptr;
        } else if (json_columns[c]) {
          obj[col.name] = nlohmann::ordered_json::parse(*row[c], nullptr, false);
        } else if (col.kind == warehouse::ColumnKind::kInteger) {
          obj[col.name] = std::stoll(*row[c]);
        } else if (col.kind == warehouse::ColumnKind::kFloat) {
          obj[col.name] = std::stod(*row[c]);
        } else if (col.kind == warehouse::ColumnKind::kBoolean) {
          obj[col.name] = *row[c] == "true";
        } else {
          obj[col.name] = *row[c];
        }
      }
      rows.push_back(std::move(obj));
    }
    return rows.dump(2) + "\n";
  }
  std::vector<std::size_t> width(table.columns.size());
  for (std::size_t c = 0; c < table.columns.size(); ++c) width[c] = table.columns[c].name.size();
  for (const auto& row : table.rows) {
    for (std::size_t c = 0; c < row.size(); ++c)
      width[c] = std::max(width[c], row[c] ? row[c]->size() : 4);
  }
  auto line = [&](auto cell) {
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      const std::string text = cell(c);
      const bool right = table.columns[c].kind != warehouse::ColumnKind::kText;
      out += (c ? " | " : "") + (right ? fmt::format("{:>{}}", text, width[c])
                                       : fmt::format("{:<{}}", text, width[c]));
    }
    out += "\n";
  };
  line([&](std::size_t c) { return table.columns[c].name; });
  for (std::size_t c = 0; c < table.columns.size(); ++c)
    out += (c ? "-+-" : "") + std::string(width[c], '-');
  out += "\n";
  for (const auto& row : table.rows) line([&](std::size_t c) { return row[c].value_or("NULL"); });
  out += fmt::format("({} row{})\n", table.rows.size(), table.rows.size() == 1 ? "" : "s");
  return out;
}

Status RunSql(const SqlFlags& flags) {
  std::filesystem::path lake_root = flags.lake;
  std::filesystem::path warehouse_file;
  config::S3LakeConfig s3;
  if (lake_root.empty()) {
    auto project = config::LoadProject(flags.project);
    if (!project) return tl::unexpected(project.error());
    lake_root = project->lake;
    warehouse_file = project->warehouse;
    s3 = project->s3;
  }
  if (flags.gold && !std::filesystem::is_regular_file(warehouse_file)) {
    return Fail(ErrorCode::kNotFound,
                fmt::format("--gold: no warehouse at {}: run `playlake run` first (and pass "
                            "--project rather than --lake)",
                            warehouse_file.empty() ? "(no project)" : warehouse_file.string()));
  }
  if (!s3::IsS3Location(lake_root) && !std::filesystem::is_directory(lake_root / "_manifests")) {
    return Fail(ErrorCode::kNotFound,
                fmt::format("no lake at {}: run `playlake ingest` first", lake_root.string()));
  }
  auto lake = s3::OpenLake(lake_root, s3, {});
  if (!lake) return tl::unexpected(lake.error());
  auto db = warehouse::Database::Open(":memory:");
  if (!db) return tl::unexpected(db.error());
  auto conn = (*db)->Connect();
  if (!conn) return tl::unexpected(conn.error());
  if (auto s = (*conn)->Execute("SET TimeZone = 'UTC'"); !s) return s;
  // Silver's views live in schema silver, so `silver.users` names one whatever
  // else is on the search path.
  if (auto s = silver::CreateSilverSchema(**conn, **lake); !s) return s;
  if (auto s = (*conn)->Execute("SET search_path = 'memory.silver'"); !s) return s;
  if (flags.gold) {
    // A gold table wins over a silver view of the same name (users, artists):
    // gold is what --gold asks for. The warehouse stays untouched.
    const std::string attach = fmt::format(
        "ATTACH {} AS gold (READ_ONLY); "
        "SET search_path = 'gold.main,memory.silver'",
        warehouse::QuoteLiteral(warehouse_file.string()));
    if (auto s =
            warehouse::OpenWhenReadable(warehouse_file, [&] { return (*conn)->Execute(attach); });
        !s) {
      return s;
    }
  }
  std::vector<bool> json_columns;
  auto result = QueryRenderable(**conn, flags.query, json_columns);
  if (!result) return tl::unexpected(result.error());
  std::fputs(Render(*result, json_columns, flags.format).c_str(), stdout);
  return {};
}

}  // namespace

void AddSqlCommand(CLI::App& app, CommandBody& selected) {
  auto flags = std::make_shared<SqlFlags>();
  CLI::App* cmd = app.add_subcommand(
      "sql",
      "Run a SQL query (DuckDB dialect) over the lake. Silver tables are views by name:\n"
      "plays, page_views, users, tracks, artists, albums, episodes, quarantine, and the\n"
      "Spotify Web API source's spotify_plays, spotify_tracks, ... (also as\n"
      "silver.plays, ...). Only committed files are visible. Times are shown in UTC; lists\n"
      "and structs as JSON. With --gold, a gold table wins over a silver view of the same\n"
      "name (users, artists): write silver.users for the silver one.");
  cmd->add_option("query", flags->query, "The SQL query")->required();
  cmd->add_option("--format", flags->format, "Output format")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  cmd->add_option("--project", flags->project, "Project folder with playlake.yml")
      ->capture_default_str();
  cmd->add_option("--lake", flags->lake, "Lake folder (or s3://bucket/prefix) to query without a project");
  cmd->add_flag("--gold", flags->gold,
                "Also show the project's gold tables (fct_plays, marts, ...) by name, read-only");
  cmd->callback([flags, &selected] { selected = [flags] { return RunSql(*flags); }; });
}

}  // namespace playlake::cli
