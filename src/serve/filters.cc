#include "serve/filters.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>

namespace playlake::serve {
namespace {

constexpr std::array<const char*, 9> kDevices = {"mobile", "desktop", "web",     "tablet", "tv",
                                                 "car",    "speaker", "console", "unknown"};
constexpr std::array<const char*, 3> kLevels = {"free", "paid", "unknown"};

bool Digits(const std::string& text, std::size_t from, std::size_t count) {
  for (std::size_t i = from; i < from + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

// YYYY-MM-DD naming a real day. Hand-written rather than std::regex, which
// also trips g++ 12's maybe-uninitialized warning under the sanitizers.
bool IsDate(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !Digits(text, 0, 4) ||
      !Digits(text, 5, 2) || !Digits(text, 8, 2)) {
    return false;
  }
  const std::chrono::year_month_day day{std::chrono::year{std::stoi(text.substr(0, 4))},
                                        std::chrono::month{unsigned(std::stoi(text.substr(5, 2)))},
                                        std::chrono::day{unsigned(std::stoi(text.substr(8, 2)))}};
  return day.ok();
}

template <std::size_t N>
bool OneOf(const std::string& value, const std::array<const char*, N>& allowed) {
  return std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return value == a; });
}

}  // namespace

Result<Filters> ParseFilters(const Params& params, const std::vector<std::string>& allowed_extra) {
  Filters filters;
  for (const auto& [name, value] : params) {
    const bool known =
        name == "from" || name == "to" || name == "country" || name == "device" || name == "level";
    if (!known &&
        std::find(allowed_extra.begin(), allowed_extra.end(), name) == allowed_extra.end()) {
      // Even with an empty value: each unknown name would be another cache key.
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("unknown parameter '{}'", name.substr(0, 40)));
    }
    if (value.empty()) continue;  // an empty filter means "all"
    if (name == "from" || name == "to") {
      if (!IsDate(value)) {
        return Fail(
            ErrorCode::kInvalidArgument,
            fmt::format("{}: expected a date as YYYY-MM-DD, got '{}'", name, value.substr(0, 40)));
      }
      (name == "from" ? filters.from : filters.to) = value;
    } else if (name == "country") {
      const bool iso = value.size() == 2 && std::isupper(static_cast<unsigned char>(value[0])) &&
                       std::isupper(static_cast<unsigned char>(value[1]));
      if (!iso && value != "unknown") {
        return Fail(ErrorCode::kInvalidArgument,
                    fmt::format("country: expected an ISO 3166-1 alpha-2 code such as SE, got '{}'",
                                value.substr(0, 40)));
      }
      filters.country = value;
    } else if (name == "device") {
      if (!OneOf(value, kDevices)) {
        return Fail(ErrorCode::kInvalidArgument,
                    fmt::format("device: expected one of mobile, desktop, web, tablet, tv, car, "
                                "speaker, console, unknown; got '{}'",
                                value.substr(0, 40)));
      }
      filters.device = value;
    } else if (name == "level") {
      if (!OneOf(value, kLevels)) {
        return Fail(
            ErrorCode::kInvalidArgument,
            fmt::format("level: expected free, paid or unknown; got '{}'", value.substr(0, 40)));
      }
      filters.level = value;
    }
  }
  if (filters.from && filters.to && *filters.from > *filters.to) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("from ({}) is after to ({})", *filters.from, *filters.to));
  }
  return filters;
}

Condition WhereClause(const Filters& filters, const std::string& date_expr,
                      const std::string& prefix) {
  Condition condition{"1=1", {}};
  auto add = [&](const std::optional<std::string>& value, const std::string& sql) {
    if (!value) return;
    condition.sql += " AND " + sql;
    condition.params.push_back(*value);
  };
  add(filters.from, date_expr + " >= ?::DATE");
  add(filters.to, date_expr + " <= ?::DATE");
  add(filters.country, prefix + "country = ?");
  add(filters.device, prefix + "device = ?");
  add(filters.level, prefix + "level = ?");
  return condition;
}

}  // namespace playlake::serve
