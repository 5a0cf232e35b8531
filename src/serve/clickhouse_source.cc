#include "serve/clickhouse_source.h"

#include <fmt/format.h>

#include <cctype>

namespace playlake::serve {
namespace {

using nlohmann::json;

bool IsDate(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

// `value` of a column of ClickHouse type `type` as the DuckDB path renders it.
json Converted(const json& value, std::string type) {
  if (value.is_null()) return nullptr;
  if (type.starts_with("Nullable(")) type = type.substr(9, type.size() - 10);
  const auto number = [&value]() -> std::string {
    return value.is_string() ? value.get<std::string>() : value.dump();
  };
  if (type.starts_with("Int") || type.starts_with("UInt")) return std::stoll(number());
  if (type.starts_with("Float")) {
    return value.is_number() ? json(value.get<double>()) : json(std::stod(number()));
  }
  if (type == "Enum8('false' = 0, 'true' = 1)") return value == "true";
  return value;
}

}  // namespace

ClickHouseSource::ClickHouseSource(publish::ClickHouseTarget target) : target_(std::move(target)) {
  target_.in_database = true;
}

Result<std::string> ClickHouseSql(const Condition& query) {
  static constexpr std::string_view kDate = "?::DATE";
  std::string out;
  std::size_t next = 0;
  for (std::size_t i = 0; i < query.sql.size(); ++i) {
    if (query.sql[i] != '?') {
      out += query.sql[i];
      continue;
    }
    if (next == query.params.size()) {
      return Fail(ErrorCode::kInvalidArgument, "more '?' in the query than values to bind");
    }
    const warehouse::Param& value = query.params[next++];
    if (query.sql.compare(i, kDate.size(), kDate) == 0) {
      if (!value || !IsDate(*value)) {
        return Fail(ErrorCode::kInvalidArgument,
                    fmt::format("expected a date as YYYY-MM-DD, got '{}'",
                                value ? value->substr(0, 40) : "NULL"));
      }
      out += "toDate(" + publish::ClickHouseLiteral(*value) + ")";
      i += kDate.size() - 1;
    } else {
      out += value ? publish::ClickHouseLiteral(*value) : "NULL";
    }
  }
  if (next != query.params.size()) {
    return Fail(ErrorCode::kInvalidArgument, "fewer '?' in the query than values to bind");
  }
  return out;
}

Result<json> ClickHouseRows(const std::string& answer) {
  const json parsed = json::parse(answer, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("meta") || !parsed.contains("data") ||
      !parsed["meta"].is_array() || !parsed["data"].is_array()) {
    return Fail(ErrorCode::kIo, fmt::format("ClickHouse answered what is not JSONCompact: {}",
                                            answer.substr(0, 200)));
  }
  const json& meta = parsed["meta"];
  json rows = json::array();
  try {
    for (const json& values : parsed["data"]) {
      json row = json::object();
      for (std::size_t c = 0; c < meta.size(); ++c) {
        row[meta[c].at("name").get<std::string>()] =
            Converted(values.at(c), meta[c].at("type").get<std::string>());
      }
      rows.push_back(std::move(row));
    }
  } catch (const std::exception& e) {  // std::stoll, json::at
    return Fail(ErrorCode::kIo, fmt::format("ClickHouse's answer could not be read: {}", e.what()));
  }
  return rows;
}

Result<json> ClickHouseSource::Rows(const Condition& query) {
  auto sql = ClickHouseSql(query);
  if (!sql) return tl::unexpected(sql.error());
  auto answer = publish::ClickHouseRequest(target_, *sql + "\nFORMAT JSONCompact");
  if (!answer) return tl::unexpected(answer.error());
  return ClickHouseRows(*answer);
}

}  // namespace playlake::serve
