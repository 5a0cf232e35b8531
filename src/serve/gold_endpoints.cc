#include "serve/gold_endpoints.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace playlake::serve {
namespace {

using nlohmann::json;
using warehouse::ColumnKind;

json Value(const std::optional<std::string>& text, ColumnKind kind) {
  if (!text) return nullptr;
  switch (kind) {
    case ColumnKind::kInteger:
      return std::stoll(*text);
    case ColumnKind::kFloat:
      return std::stod(*text);
    case ColumnKind::kBoolean:
      return *text == "true";
    case ColumnKind::kText:
      return *text;
  }
  return *text;
}

// The queries of one API request, on one connection of their own, read by
// name from the endpoint's exposure and filled in with the request's values.
// The first failure is remembered and later queries are skipped, so an
// endpoint reads as a list of assignments and ends with `return q.Finish(out)`.
class Request {
 public:
  Request(GoldSource& source, const DashboardQueries& queries, std::string endpoint,
          RequestValues values)
      : source_(source),
        queries_(queries),
        endpoint_(std::move(endpoint)),
        values_(std::move(values)) {}

  json Rows(const std::string& query) {
    if (error_) return json::array();
    auto bound = queries_.Bind(endpoint_, query, values_);
    if (!bound) {
      error_ = bound.error();
      return json::array();
    }
    auto rows = source_.Rows(*bound);
    if (!rows) {
      error_ = rows.error();
      return json::array();
    }
    return *std::move(rows);
  }

  json Row(const std::string& query) {
    json rows = Rows(query);
    return rows.empty() ? json::object() : rows[0];
  }

  Result<json> Finish(json out) {
    if (error_) return tl::unexpected(*error_);
    return out;
  }

  const RequestValues& values() const { return values_; }

 private:
  GoldSource& source_;
  const DashboardQueries& queries_;
  const std::string endpoint_;
  const RequestValues values_;
  std::optional<Error> error_;
};

// Every filtered answer below reads the serving cubes (models/models/marts/
// serving): agg_listener_days, agg_track_days and agg_local_hours hold the
// plays pre-aggregated by day and by every filterable attribute, so a request
// scans a few hundred thousand rows instead of the whole fact, exactly.

Result<json> FiltersEndpoint(GoldSource& source, const DashboardQueries& queries,
                             const Params& params) {
  auto filters = ParseFilters(params);
  if (!filters) return tl::unexpected(filters.error());
  Request q(source, queries, "filters", {*filters, ""});
  json out;
  json range = q.Row("date_range");
  out["min_date"] = range.value("min_date", json(nullptr));
  out["max_date"] = range.value("max_date", json(nullptr));
  for (const char* list : {"countries", "devices", "levels"}) {
    json values = json::array();
    for (const auto& row : q.Rows(list)) values.push_back(row["v"]);
    out[list] = values;
  }
  return q.Finish(out);
}

Result<json> OverviewEndpoint(GoldSource& source, const DashboardQueries& queries,
                              const Params& params) {
  auto filters = ParseFilters(params);
  if (!filters) return tl::unexpected(filters.error());
  Request q(source, queries, "overview", {*filters, ""});
  json out;
  out["kpis"] = q.Row("kpis");
  json top = q.Row("top_region");
  out["kpis"]["top_region"] = top.empty() ? json(nullptr) : top;
  out["device_split"] = q.Rows("device_split");
  out["daily"] = q.Rows("daily");
  out["hourly"] = q.Rows("hourly");
  out["scope"] = {{"hourly", "all listeners"}};
  return q.Finish(out);
}

Result<json> TrendingEndpoint(GoldSource& source, const DashboardQueries& queries,
                              const Params& params) {
  auto filters = ParseFilters(params);
  if (!filters) return tl::unexpected(filters.error());
  Request q(source, queries, "trending", {*filters, ""});
  json out;
  out["trending"] = q.Rows("trending");
  // Without country, device or level filters the smaller all-listeners cube
  // answers (the queries without _sliced).
  const bool sliced = filters->country || filters->device || filters->level;
  out["top_tracks"] = q.Rows(sliced ? "top_tracks_sliced" : "top_tracks");
  out["top_daily"] = q.Rows(sliced ? "top_daily_sliced" : "top_daily");
  out["scope"] = {{"trending", "all listeners, as of the newest data"}};
  return q.Finish(out);
}

Result<json> ArtistsEndpoint(GoldSource& source, const DashboardQueries& queries,
                             const Params& params) {
  auto filters = ParseFilters(params);
  if (!filters) return tl::unexpected(filters.error());
  Request q(source, queries, "artists", {*filters, ""});
  json out;
  out["ranking"] = q.Rows("ranking");
  out["genres"] = q.Rows("genres");
  out["audio_features"] = q.Rows("audio_features");
  // Whether Spotify let the app read audio features, when a pull asked.
  out["audio_features_access"] = q.Row("audio_features_access");
  out["scope"] = {
      {"ranking", "all listeners"}, {"genres", "all listeners"}, {"audio_features", "catalog"}};
  return q.Finish(out);
}

Result<json> GeographyEndpoint(GoldSource& source, const DashboardQueries& queries,
                               const Params& params) {
  auto filters = ParseFilters(params);
  if (!filters) return tl::unexpected(filters.error());
  Request q(source, queries, "geography", {*filters, ""});
  json out;
  for (const char* breakdown : {"countries", "regions", "cities"})
    out[breakdown] = q.Rows(breakdown);
  return q.Finish(out);
}

Result<json> DevicesEndpoint(GoldSource& source, const DashboardQueries& queries,
                             const Params& params) {
  auto filters = ParseFilters(params);
  if (!filters) return tl::unexpected(filters.error());
  Request q(source, queries, "devices", {*filters, ""});
  json out;
  out["devices"] = q.Rows("devices");
  out["heatmap"] = q.Rows("heatmap");
  return q.Finish(out);
}

Result<json> ListenersEndpoint(GoldSource& source, const DashboardQueries& queries,
                               const Params& params) {
  auto filters = ParseFilters(params);
  if (!filters) return tl::unexpected(filters.error());
  Request q(source, queries, "listeners", {*filters, ""});
  json out;
  out["by_level"] = q.Rows("by_level");
  out["level_changes"] = q.Row("level_changes");
  out["retention"] = q.Rows("retention");
  out["top_listeners"] = q.Rows("top_listeners");
  out["scope"] = {{"level_changes", "all listeners"},
                  {"retention", "all listeners"},
                  {"top_listeners", "all listeners, all time"}};
  return q.Finish(out);
}

// Podcasts and audiobooks (question 12's shows, for everyone): listening
// time by kind per day (dates only: a mart over all listeners), and the top
// shows under the filters but level, which podcast plays do not carry.
Result<json> ShowsEndpoint(GoldSource& source, const DashboardQueries& queries,
                           const Params& params) {
  auto filters = ParseFilters(params);
  if (!filters) return tl::unexpected(filters.error());
  Request q(source, queries, "shows", {*filters, ""});
  json out;
  out["kinds"] = q.Rows("kinds");
  out["daily"] = q.Rows("daily");
  out["shows"] = q.Rows("shows");
  out["scope"] = {{"kinds", "all listeners"},
                  {"daily", "all listeners"},
                  {"shows", "the level filter does not apply"}};
  return q.Finish(out);
}

// A listener id as the API accepts it: 1 to 256 bytes, no control characters.
bool IsListenerId(const std::string& text) {
  return !text.empty() && text.size() <= 256 && std::none_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20;
  });
}

// One listener's page (question 12): the `user` parameter, or the listener with
// the most plays. Reads that listener's rows of fct_plays and
// fct_episode_plays under the filters (level does not apply to podcasts).
Result<json> ListenerEndpoint(GoldSource& source, const DashboardQueries& queries,
                              const Params& params) {
  auto filters = ParseFilters(params, {"user"});
  if (!filters) return tl::unexpected(filters.error());
  const auto given = params.find("user");
  std::string user = given != params.end() ? given->second : "";
  if (!user.empty() && !IsListenerId(user)) {
    return Fail(ErrorCode::kInvalidArgument,
                "user: expected a listener id of 1 to 256 printable bytes");
  }
  json out;
  {
    Request all(source, queries, "listener", {*filters, ""});
    out["listeners"] = all.Rows("listeners");
    if (auto s = all.Finish(json()); !s) return s;
  }
  if (user.empty() && !out["listeners"].empty()) user = out["listeners"][0]["user_id"];
  Request q(source, queries, "listener", {*filters, user});
  const json known = q.Row("known");
  if (!user.empty() && known.value("n", 1) == 0) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("user: no listener '{}' in gold", user.substr(0, 40)));
  }
  out["summary"] = q.Row("summary");
  for (const char* part :
       {"top_artists", "top_tracks", "top_shows", "months", "clock", "most_skipped"}) {
    out[part] = q.Rows(part);
  }
  out["scope"] = {{"listeners", "all listeners, all time"},
                  {"months.new_artists", "first play over all of the listener's plays"},
                  {"top_shows", "the level filter does not apply"}};
  return q.Finish(out);
}

}  // namespace

const std::vector<GoldEndpointSpec>& GoldEndpoints() {
  static const std::vector<GoldEndpointSpec> kEndpoints = {
      {"filters", FiltersEndpoint, {"date_range", "countries", "devices", "levels"}},
      {"overview", OverviewEndpoint, {"kpis", "top_region", "device_split", "daily", "hourly"}},
      {"trending",
       TrendingEndpoint,
       {"trending", "top_tracks", "top_tracks_sliced", "top_daily", "top_daily_sliced"}},
      {"artists",
       ArtistsEndpoint,
       {"ranking", "genres", "audio_features", "audio_features_access"}},
      {"geography", GeographyEndpoint, {"countries", "regions", "cities"}},
      {"devices", DevicesEndpoint, {"devices", "heatmap"}},
      {"listeners", ListenersEndpoint, {"by_level", "level_changes", "retention", "top_listeners"}},
      {"listener",
       ListenerEndpoint,
       {"listeners", "known", "summary", "top_artists", "top_tracks", "top_shows", "months",
        "clock", "most_skipped"}},
      {"shows", ShowsEndpoint, {"kinds", "daily", "shows"}},
  };
  return kEndpoints;
}

Result<json> DuckDbSource::Rows(const Condition& query) {
  if (!conn_) {
    auto conn = db_.Connect();
    if (!conn) return tl::unexpected(conn.error());
    conn_ = std::move(*conn);
  }
  auto table = conn_->Query(query.sql, query.params);
  if (!table) return tl::unexpected(table.error());
  return ToJson(*table);
}

json ToJson(const warehouse::Table& table) {
  json rows = json::array();
  for (const auto& row : table.rows) {
    json object = json::object();
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      object[table.columns[c].name] = Value(row[c], table.columns[c].kind);
    }
    rows.push_back(std::move(object));
  }
  return rows;
}

}  // namespace playlake::serve
