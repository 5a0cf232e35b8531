#include "publish/clickhouse.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <cstdio>
#include <set>

namespace playlake::publish {
namespace {

std::string Backquoted(const std::string& name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`' || c == '\\') out += '\\';
    out += c;
  }
  return out + "`";
}

// A float column as text ClickHouse reads back to the same value: DuckDB's
// shortest digits as an integer and a power of ten ("14.694" -> "14694e-3").
// ClickHouse 18.16's parser of text floats can be one unit in the last place
// off for a decimal point ("14.694" -> 14.693999999999999), but divides an
// integer of up to 15 digits by an exact power of ten correctly.
std::string ExactFloatText(const std::string& column) {
  const std::string text = fmt::format("CAST(CAST({} AS DOUBLE) AS VARCHAR)", column);
  const std::string part = fmt::format(
      "regexp_extract({}, '^(-?)([0-9]+)(?:[.]([0-9]+))?(?:e([-+]?[0-9]+))?$', {{}})", text);
  const auto group = [&part](int n) { return fmt::format(fmt::runtime(part), n); };
  return fmt::format(
      "CASE WHEN {2} = '' THEN {0} ELSE {1} || {2} || {3} || 'e' || "
      "CAST(COALESCE(TRY_CAST({4} AS INTEGER), 0) - length({3}) AS VARCHAR) END",
      text, group(1), group(2), group(3), group(4));
}

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

std::size_t OnRead(char* buffer, std::size_t size, std::size_t count, void* file) {
  return std::fread(buffer, size, count, static_cast<std::FILE*>(file)) * size;
}

}  // namespace

std::string ClickHouseLiteral(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

MappedColumn MappedType(const std::string& column, const std::string& duckdb_type) {
  const std::string c = warehouse::QuoteIdentifier(column);
  const auto mapped = [&](std::string type, std::string select) {
    return MappedColumn{column, "Nullable(" + type + ")", std::move(select)};
  };
  static const std::pair<const char*, const char*> kSame[] = {
      {"TINYINT", "Int8"},   {"SMALLINT", "Int16"},   {"INTEGER", "Int32"},   {"BIGINT", "Int64"},
      {"UTINYINT", "UInt8"}, {"USMALLINT", "UInt16"}, {"UINTEGER", "UInt32"}, {"UBIGINT", "UInt64"},
      {"VARCHAR", "String"}};
  for (const auto& [duck, clickhouse] : kSame) {
    if (duckdb_type == duck) return mapped(clickhouse, c);
  }
  if (duckdb_type == "HUGEINT" || duckdb_type == "UHUGEINT") {
    return mapped("Int64", fmt::format("CAST({} AS BIGINT)", c));
  }
  if (duckdb_type == "FLOAT" || duckdb_type == "DOUBLE" || duckdb_type.starts_with("DECIMAL")) {
    return mapped(duckdb_type == "FLOAT" ? "Float32" : "Float64", ExactFloatText(c));
  }
  if (duckdb_type == "BOOLEAN") return mapped("UInt8", fmt::format("CAST({} AS UTINYINT)", c));
  // ClickHouse's Date and DateTime hold 1970 to 2105; values outside become NULL.
  if (duckdb_type == "DATE") {
    return mapped("Date", fmt::format("CASE WHEN {0} BETWEEN DATE '1970-01-01' AND DATE "
                                      "'2105-12-31' THEN strftime({0}, '%Y-%m-%d') END",
                                      c));
  }
  if (duckdb_type.starts_with("TIMESTAMP")) {
    return mapped("DateTime('UTC')",
                  fmt::format("CASE WHEN CAST({0} AS TIMESTAMP) >= TIMESTAMP '1970-01-01' AND "
                              "CAST({0} AS TIMESTAMP) < TIMESTAMP '2106-01-01' THEN "
                              "strftime(CAST({0} AS TIMESTAMP), '%Y-%m-%d %H:%M:%S') END",
                              c));
  }
  const bool nested = duckdb_type.ends_with("]") || duckdb_type.starts_with("STRUCT") ||
                      duckdb_type.starts_with("MAP") || duckdb_type.starts_with("UNION");
  // Lists, structs and maps as their JSON text; anything else (TIME, UUID,
  // INTERVAL, ENUM, BLOB) as DuckDB renders it.
  return mapped("String", nested ? fmt::format("CAST(to_json({}) AS VARCHAR)", c)
                                 : fmt::format("CAST({} AS VARCHAR)", c));
}

Result<std::string> ClickHouseRequest(const ClickHouseTarget& target, const std::string& sql,
                                      const std::filesystem::path& body_file) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return Fail(ErrorCode::kIo, "ClickHouse: could not start a libcurl handle");
  std::FILE* file = nullptr;
  curl_slist* headers = nullptr;
  if (!target.user.empty())
    headers = curl_slist_append(headers, ("X-ClickHouse-User: " + target.user).c_str());
  if (!target.password.empty()) {
    headers = curl_slist_append(headers, ("X-ClickHouse-Key: " + target.password).c_str());
  }
  headers = curl_slist_append(headers, "Expect:");
  std::string url = target.url;
  while (url.ends_with('/')) url.pop_back();
  std::string database;
  if (target.in_database) {
    char* escaped =
        curl_easy_escape(curl, target.database.c_str(), static_cast<int>(target.database.size()));
    database = std::string("database=") + escaped;
    curl_free(escaped);
  }
  std::string body;
  if (body_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_URL, (url + "/?" + database).c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, sql.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(sql.size()));
  } else {
    file = std::fopen(body_file.c_str(), "rb");
    if (file == nullptr) {
      curl_slist_free_all(headers);
      curl_easy_cleanup(curl);
      return Fail(ErrorCode::kIo, fmt::format("ClickHouse: cannot read {}", body_file.string()));
    }
    char* escaped = curl_easy_escape(curl, sql.c_str(), static_cast<int>(sql.size()));
    curl_easy_setopt(curl, CURLOPT_URL,
                     fmt::format("{}/?query={}&{}", url, escaped, database).c_str());
    curl_free(escaped);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, OnRead);
    curl_easy_setopt(curl, CURLOPT_READDATA, file);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(std::filesystem::file_size(body_file)));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(target.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  const CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (file != nullptr) std::fclose(file);
  const std::string what = sql.substr(0, sql.find(' ', sql.find(' ') + 1));  // "CREATE TABLE"
  if (code != CURLE_OK) {
    return Fail(ErrorCode::kIo, fmt::format("ClickHouse at {}: {} failed: {}", url, what,
                                            curl_easy_strerror(code)));
  }
  if (status != 200) {
    while (!body.empty() && (body.back() == '\n' || body.back() == ' ')) body.pop_back();
    return Fail(ErrorCode::kIo,
                fmt::format("ClickHouse at {}: {} answered {}: {}", url, what, status, body));
  }
  return body;
}

Result<PublishReport> PublishTables(warehouse::Connection& db,
                                    const std::vector<std::string>& tables,
                                    const ClickHouseTarget& target,
                                    const std::filesystem::path& scratch) {
  const auto run = [&](const std::string& sql) -> Status {
    auto answer = ClickHouseRequest(target, sql);
    if (!answer) return tl::unexpected(answer.error());
    return {};
  };
  const std::string database = Backquoted(target.database);
  const auto in_db = [&](const std::string& table) { return database + "." + Backquoted(table); };
  if (auto s = run("CREATE DATABASE IF NOT EXISTS " + database); !s)
    return tl::unexpected(s.error());
  std::error_code ec;
  std::filesystem::create_directories(scratch, ec);

  PublishReport report;
  if (tables.empty()) return report;
  for (const auto& table : tables) {
    auto columns = db.Query(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
        {table});
    if (!columns) return tl::unexpected(columns.error());
    if (columns->rows.empty()) {
      return Fail(ErrorCode::kNotFound,
                  fmt::format("publish: no table {} in the warehouse", table));
    }
    std::string definition, select;
    for (const auto& row : columns->rows) {
      const MappedColumn column = MappedType(*row[0], *row[1]);
      definition += fmt::format("{}{} {}", definition.empty() ? "" : ", ", Backquoted(column.name),
                                column.clickhouse_type);
      select += fmt::format("{}{} AS {}", select.empty() ? "" : ", ", column.select,
                            warehouse::QuoteIdentifier(column.name));
    }
    const std::string next = in_db(table + "__next");
    if (auto s = run("DROP TABLE IF EXISTS " + next); !s) return tl::unexpected(s.error());
    if (auto s = run(fmt::format("CREATE TABLE {} ({}) ENGINE = MergeTree() ORDER BY tuple()", next,
                                 definition));
        !s) {
      return tl::unexpected(s.error());
    }
    const auto rows_file = scratch / (table + ".json");
    auto copied = db.QueryScalar(fmt::format("COPY (SELECT {} FROM main.{}) TO {} (FORMAT json)",
                                             select, warehouse::QuoteIdentifier(table),
                                             warehouse::QuoteLiteral(rows_file.string())));
    if (!copied) return tl::unexpected(copied.error());
    auto loaded = ClickHouseRequest(target, fmt::format("INSERT INTO {} FORMAT JSONEachRow", next),
                                    rows_file);
    std::filesystem::remove(rows_file, ec);
    if (!loaded) return tl::unexpected(loaded.error());
    report.rows += std::stoll(*copied);
    ++report.tables;
  }

  // One RENAME swaps every table: readers see the whole previous build or the
  // whole new one.
  auto existing = ClickHouseRequest(
      target, fmt::format("SELECT name FROM system.tables WHERE database = {} FORMAT TSV",
                          ClickHouseLiteral(target.database)));
  if (!existing) return tl::unexpected(existing.error());
  std::set<std::string> present;
  for (std::size_t at = 0; at < existing->size();) {
    const std::size_t end = existing->find('\n', at);
    present.insert(existing->substr(at, end - at));
    at = end == std::string::npos ? existing->size() : end + 1;
  }
  std::string renames;
  for (const auto& table : tables) {
    if (present.contains(table + "__prev")) {
      if (auto s = run("DROP TABLE " + in_db(table + "__prev")); !s)
        return tl::unexpected(s.error());
    }
    if (present.contains(table)) {
      renames += fmt::format("{}{} TO {}", renames.empty() ? "" : ", ", in_db(table),
                             in_db(table + "__prev"));
    }
    renames += fmt::format("{}{} TO {}", renames.empty() ? "" : ", ", in_db(table + "__next"),
                           in_db(table));
  }
  if (auto s = run("RENAME TABLE " + renames); !s) return tl::unexpected(s.error());
  for (const auto& table : tables) {
    if (!present.contains(table)) continue;
    if (auto s = run("DROP TABLE IF EXISTS " + in_db(table + "__prev")); !s) {
      return tl::unexpected(s.error());
    }
  }
  return report;
}

}  // namespace playlake::publish
