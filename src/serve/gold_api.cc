#include "serve/gold_api.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <limits>
#include <map>

#include "serve/filters.h"
#include "serve/response_cache.h"

namespace playlake::serve {
namespace {

using nlohmann::json;
using warehouse::ColumnKind;
using warehouse::Param;

json Value(const std::optional<std::string>& text, ColumnKind kind) {
  if (!text) return nullptr;
  switch (kind) {
    case ColumnKind::kInteger: return std::stoll(*text);
    case ColumnKind::kFloat: return std::stod(*text);
    case ColumnKind::kBoolean: return *text == "true";
    case ColumnKind::kText: return *text;
  }
  return *text;
}

// The queries of one API request, on one connection of their own. The first
// failure is remembered and later queries are skipped, so an endpoint reads as
// a list of assignments and ends with `return q.Finish(out)`.
class Request {
 public:
  explicit Request(warehouse::Database& db) : db_(db) {}

  json Rows(const std::string& sql, const std::vector<Param>& params = {}) {
    if (error_) return json::array();
    if (!conn_) {
      auto conn = db_.Connect();
      if (!conn) {
        error_ = conn.error();
        return json::array();
      }
      conn_ = std::move(*conn);
    }
    auto table = conn_->Query(sql, params);
    if (!table) {
      error_ = table.error();
      return json::array();
    }
    return ToJson(*table);
  }

  json Row(const std::string& sql, const std::vector<Param>& params = {}) {
    json rows = Rows(sql, params);
    return rows.empty() ? json::object() : rows[0];
  }

  Result<json> Finish(json out) {
    if (error_) return tl::unexpected(*error_);
    return out;
  }

 private:
  warehouse::Database& db_;
  std::unique_ptr<warehouse::Connection> conn_;
  std::optional<Error> error_;
};

// Every filtered answer below reads the serving cubes (models/models/marts/
// serving): agg_listener_days, agg_track_days and agg_local_hours hold the
// plays pre-aggregated by day and by every filterable attribute, so a request
// scans a few hundred thousand rows instead of the whole fact, exactly.

Result<json> FiltersEndpoint(warehouse::Database& db, const Params& params) {
  if (auto filters = ParseFilters(params); !filters) return tl::unexpected(filters.error());
  Request q(db);
  json out;
  json range = (q.Row("SELECT min(date_key)::VARCHAR AS min_date, max(date_key)::VARCHAR AS max_date "
                      "FROM agg_listener_days"));
  out["min_date"] = range.value("min_date", json(nullptr));
  out["max_date"] = range.value("max_date", json(nullptr));
  for (const char* column : {"country", "device", "level"}) {
    json rows = (q.Rows(fmt::format(
        "SELECT {0} AS v FROM agg_listener_days GROUP BY {0} ORDER BY sum(plays) DESC, {0}", column)));
    json values = json::array();
    for (const auto& row : rows) values.push_back(row["v"]);
    out[std::string(column) == "country" ? "countries" : std::string(column) + "s"] = values;
  }
  return q.Finish(out);
}

Result<json> OverviewEndpoint(warehouse::Database& db, const Params& params) {
  auto filters = ParseFilters(params);
  if (!filters) return tl::unexpected(filters.error());
  const Condition where = WhereClause(*filters);
  Request q(db);
  json out;
  out["kpis"] = (q.Row(fmt::format(
      "SELECT coalesce(sum(plays), 0)::BIGINT AS plays, count(DISTINCT user_key) AS listeners, "
      "round(coalesce(sum(ms_played), 0) / 3600000.0, 1) AS listening_hours, "
      "round(sum(skipped_plays) * 100.0 / sum(plays), 1) AS skip_rate_pct "
      "FROM agg_listener_days WHERE {}", where.sql), where.params));
  json top = (q.Row(fmt::format(
      "SELECT country, region, region_name, sum(plays)::BIGINT AS plays FROM agg_listener_days WHERE {} "
      "GROUP BY country, region, region_name ORDER BY plays DESC, country, region LIMIT 1", where.sql),
      where.params));
  out["kpis"]["top_region"] = top.empty() ? json(nullptr) : top;
  out["device_split"] = (q.Rows(fmt::format(
      "SELECT device, sum(plays)::BIGINT AS plays FROM agg_listener_days WHERE {} "
      "GROUP BY device ORDER BY plays DESC, device", where.sql), where.params));
  out["daily"] = (q.Rows(fmt::format(
      "SELECT date_key::VARCHAR AS date, sum(plays)::BIGINT AS plays, count(DISTINCT user_key) AS listeners, "
      "round(sum(ms_played) / 3600000.0, 1) AS listening_hours, "
      "round(avg(sum(plays)) OVER (ORDER BY date_key ROWS BETWEEN 6 PRECEDING AND CURRENT ROW), 1) AS plays_7d_avg "
      "FROM agg_listener_days WHERE {} GROUP BY date_key ORDER BY date_key", where.sql), where.params));
  Filters dates_only{filters->from, filters->to, {}, {}, {}};
  const Condition hours = WhereClause(dates_only, "CAST(hour_start AS DATE)");
  out["hourly"] = (q.Rows(fmt::format(
      "SELECT strftime(hour_start, '%Y-%m-%d %H:00') AS hour, plays, expected_plays, z_score, is_anomaly "
      "FROM volume_anomalies WHERE {} ORDER BY hour_start", hours.sql), hours.params));
  out["scope"] = {{"hourly", "all listeners"}};
  return q.Finish(out);
}

Result<json> TrendingEndpoint(warehouse::Database& db, const Params& params) {
  auto filters = ParseFilters(params);
  if (!filters) return tl::unexpected(filters.error());
  const Condition where = WhereClause(*filters);
  Request q(db);
  json out;
  out["trending"] = (q.Rows(
      "SELECT as_of_date::VARCHAR AS as_of_date, rank, track_id, track_name, artist_name, genre, "
      "plays_recent, plays_previous, growth_pct, trend_score FROM trending_tracks ORDER BY rank LIMIT 20"));
  // Without country, device or level filters the smaller all-listeners cube
  // answers. Ties break by track_id, as everywhere else.
  const bool sliced = filters->country || filters->device || filters->level;
  const std::string cube = sliced ? "agg_track_slices" : "agg_track_days";
  out["top_tracks"] = (q.Rows(fmt::format(
      "WITH totals AS (SELECT track_key, sum(plays)::BIGINT AS plays FROM {} WHERE {} GROUP BY track_key), "
      "top AS (SELECT * FROM totals WHERE plays >= (SELECT min(plays) FROM (SELECT plays FROM totals "
      "ORDER BY plays DESC LIMIT 20))) "
      "SELECT t.track_id, t.track_name, t.artist_name, top.plays FROM top "
      "JOIN dim_tracks t ON top.track_key = t.track_key ORDER BY top.plays DESC, t.track_id LIMIT 20",
      cube, where.sql), where.params));
  // The five most played tracks of each of the newest 14 days in the range:
  // a top-5 aggregate finds each day's cut, and only the tracks at or above
  // it are joined and ranked (ties by track_id).
  const std::string daily = sliced ? "SELECT date_key, track_key, sum(plays)::BIGINT AS plays FROM days "
                                     "GROUP BY date_key, track_key"
                                   : "SELECT date_key, track_key, plays FROM days";
  // The window ends at the range's newest day with plays (read from the small
  // cube, so the filtered one is scanned once).
  Filters dates_only{filters->from, filters->to, {}, {}, {}};
  const Condition dates = WhereClause(dates_only);
  std::vector<Param> top_daily_params = dates.params;
  top_daily_params.insert(top_daily_params.end(), where.params.begin(), where.params.end());
  out["top_daily"] = (q.Rows(fmt::format(
      "WITH bound AS (SELECT max(date_key) - 14 AS after FROM agg_track_days WHERE {3}), "
      "days AS (SELECT date_key, track_key, plays FROM {0} WHERE {1} "
      "AND date_key > (SELECT after FROM bound)), "
      "daily AS ({2}), "
      "cut AS (SELECT date_key, list_min(max(plays, 5)) AS plays FROM daily GROUP BY date_key), "
      "ranked AS (SELECT d.date_key, d.plays, t.track_name, t.artist_name, row_number() OVER "
      "(PARTITION BY d.date_key ORDER BY d.plays DESC, t.track_id) AS rank FROM daily d "
      "JOIN cut c ON d.date_key = c.date_key AND d.plays >= c.plays "
      "JOIN dim_tracks t ON d.track_key = t.track_key QUALIFY rank <= 5) "
      "SELECT date_key::VARCHAR AS date, rank, track_name, artist_name, plays FROM ranked "
      "ORDER BY date_key DESC, rank", cube, where.sql, daily, dates.sql),
      top_daily_params));
  out["scope"] = {{"trending", "all listeners, as of the newest data"}};
  return q.Finish(out);
}

Result<json> ArtistsEndpoint(warehouse::Database& db, const Params& params) {
  auto filters = ParseFilters(params);
  if (!filters) return tl::unexpected(filters.error());
  Filters dates_only{filters->from, filters->to, {}, {}, {}};
  const Condition weeks = WhereClause(dates_only, "week_start");
  Request q(db);
  json out;
  out["ranking"] = (q.Rows(fmt::format(
      "SELECT week_start::VARCHAR AS week_start, rank, artist_name, genre, plays, previous_rank, "
      "rank_change, is_new_entry FROM artist_ranking WHERE week_start = (SELECT max(week_start) "
      "FROM artist_ranking WHERE {}) ORDER BY rank LIMIT 20", weeks.sql), weeks.params));
  out["genres"] = (q.Rows(fmt::format(
      "SELECT week_start::VARCHAR AS week_start, genre, plays, plays_share_pct, wow_growth_pct "
      "FROM genre_trends WHERE {} ORDER BY week_start, genre", weeks.sql), weeks.params));
  out["audio_features"] = (q.Rows(
      "SELECT genre, feature, tracks, mean, p10, p25, median, p75, p90 FROM audio_features_by_genre "
      "ORDER BY feature, genre"));
  out["scope"] = {{"ranking", "all listeners"}, {"genres", "all listeners"}, {"audio_features", "catalog"}};
  return q.Finish(out);
}

Result<json> GeographyEndpoint(warehouse::Database& db, const Params& params) {
  auto filters = ParseFilters(params);
  if (!filters) return tl::unexpected(filters.error());
  const Condition where = WhereClause(*filters);
  Request q(db);
  json out;
  const std::string base = fmt::format(
      "SELECT {{0}}, sum(plays)::BIGINT AS plays, count(DISTINCT user_key) AS listeners, "
      "round(sum(ms_played) / 3600000.0, 1) AS listening_hours FROM agg_listener_days "
      "WHERE {} GROUP BY ALL ORDER BY plays DESC, {{0}} LIMIT {{1}}", where.sql);
  out["countries"] = (q.Rows(fmt::format(fmt::runtime(base), "country", 250), where.params));
  out["regions"] = (q.Rows(fmt::format(fmt::runtime(base), "country, region, region_name", 25), where.params));
  out["cities"] = (q.Rows(fmt::format(fmt::runtime(base), "country, city", 25), where.params));
  return q.Finish(out);
}

Result<json> DevicesEndpoint(warehouse::Database& db, const Params& params) {
  auto filters = ParseFilters(params);
  if (!filters) return tl::unexpected(filters.error());
  const Condition where = WhereClause(*filters);
  Request q(db);
  json out;
  out["devices"] = (q.Rows(fmt::format(
      "SELECT device, platform, sum(plays)::BIGINT AS plays, count(DISTINCT user_key) AS listeners, "
      "round(sum(skipped_plays) * 100.0 / sum(plays), 1) AS skip_rate_pct, "
      "round(sum(ms_played) / sum(plays) / 1000.0, 1) AS avg_seconds FROM agg_listener_days "
      "WHERE {} GROUP BY ALL ORDER BY plays DESC, device, platform", where.sql), where.params));
  out["heatmap"] = (q.Rows(fmt::format(
      "SELECT local_weekday AS weekday, local_hour AS hour, sum(plays)::BIGINT AS plays "
      "FROM agg_local_hours WHERE {} GROUP BY ALL ORDER BY weekday, hour", where.sql), where.params));
  return q.Finish(out);
}

Result<json> ListenersEndpoint(warehouse::Database& db, const Params& params) {
  auto filters = ParseFilters(params);
  if (!filters) return tl::unexpected(filters.error());
  const Condition where = WhereClause(*filters);
  Request q(db);
  json out;
  out["by_level"] = (q.Rows(fmt::format(
      "SELECT level, count(DISTINCT user_key) AS listeners, sum(plays)::BIGINT AS plays, "
      "sum(sessions)::BIGINT AS sessions, round(sum(ms_played) / 3600000.0, 1) AS listening_hours, "
      "round(sum(skipped_plays) * 100.0 / sum(plays), 1) AS skip_rate_pct "
      "FROM agg_listener_days WHERE {} GROUP BY level ORDER BY level", where.sql), where.params));
  out["level_changes"] = (q.Row(
      "SELECT coalesce(sum(upgrades), 0) AS upgrades, coalesce(sum(downgrades), 0) AS downgrades "
      "FROM user_engagement"));
  Filters dates_only{filters->from, filters->to, {}, {}, {}};
  const Condition cohorts = WhereClause(dates_only, "cohort_week");
  out["retention"] = (q.Rows(fmt::format(
      "SELECT cohort_week::VARCHAR AS cohort_week, weeks_since_first_play AS week, cohort_size, "
      "retention_pct FROM retention_cohorts WHERE {} ORDER BY cohort_week, week", cohorts.sql),
      cohorts.params));
  out["top_listeners"] =
      (q.Rows("SELECT user_id, plays, listening_hours FROM user_engagement ORDER BY plays DESC, "
              "user_id LIMIT 20"));
  out["scope"] = {{"level_changes", "all listeners"},
                  {"retention", "all listeners"},
                  {"top_listeners", "all listeners, all time"}};
  return q.Finish(out);
}

// Podcasts and audiobooks (question 12's shows, for everyone): listening
// time by kind per day from listening_by_kind (dates only: it is a mart over
// all listeners), and the top shows from fct_episode_plays under the filters
// but level, which podcast plays do not carry.
Result<json> ShowsEndpoint(warehouse::Database& db, const Params& params) {
  auto filters = ParseFilters(params);
  if (!filters) return tl::unexpected(filters.error());
  Filters dates_only{filters->from, filters->to, {}, {}, {}};
  const Condition dates = WhereClause(dates_only);
  Filters no_level = *filters;
  no_level.level.reset();
  const Condition where = WhereClause(no_level);
  Request q(db);
  json out;
  out["kinds"] = (q.Rows(fmt::format(
      "SELECT kind, sum(plays)::BIGINT AS plays, round(sum(listening_hours), 1) AS listening_hours "
      "FROM listening_by_kind WHERE {} GROUP BY kind ORDER BY listening_hours DESC, kind", dates.sql),
      dates.params));
  out["daily"] = (q.Rows(fmt::format(
      "SELECT date_key::VARCHAR AS date, kind, plays, round(listening_hours, 2) AS listening_hours "
      "FROM listening_by_kind WHERE {} ORDER BY date_key, kind", dates.sql), dates.params));
  out["shows"] = (q.Rows(fmt::format(
      "SELECT kind, show_id, arg_max(show_name, played_at) AS show_name, count(*) AS plays, "
      "count(DISTINCT user_id) AS listeners, count(DISTINCT episode_id) AS episodes, "
      "round(sum(ms_played) / 3600000.0, 2) AS listening_hours, "
      "round(100.0 * count(*) FILTER (WHERE skipped) / count(*), 1) AS skip_rate_pct "
      "FROM fct_episode_plays WHERE {} GROUP BY kind, show_id "
      "ORDER BY listening_hours DESC, plays DESC, show_id LIMIT 25", where.sql), where.params));
  out["scope"] = {{"kinds", "all listeners"}, {"daily", "all listeners"}, {"shows", "the level filter does not apply"}};
  return q.Finish(out);
}

// A listener id as the API accepts it: 1 to 256 bytes, no control characters.
bool IsListenerId(const std::string& text) {
  return !text.empty() && text.size() <= 256 &&
         std::none_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
}

// The listener page's SQL. `mine` is one listener's music plays under the
// filters ({0}: the filter condition; binds the user, then the filters'
// values); `spoken` their podcast and audiobook plays likewise.
constexpr const char* kMine =
    "WITH mine AS (SELECT f.*, year(f.local_date) AS year, a.artist_name, t.track_name FROM fct_plays f "
    "JOIN dim_artists a USING (artist_id) JOIN dim_tracks t USING (track_id) "
    "WHERE f.user_id = ? AND {0}) ";
constexpr const char* kSpoken =
    "WITH spoken AS (SELECT *, year(date_key) AS year FROM fct_episode_plays WHERE user_id = ? AND {0}) ";
// Totals and the longest run of consecutive local days with plays (gaps and
// islands); binds the user once more.
constexpr const char* kSummary =
    ", days AS (SELECT DISTINCT local_date FROM mine), "
    "islands AS (SELECT local_date, local_date - CAST(row_number() OVER (ORDER BY local_date) AS INTEGER) "
    "AS island FROM days), "
    "streak AS (SELECT count(*) AS days, min(local_date) AS first_day, max(local_date) AS last_day "
    "FROM islands GROUP BY island ORDER BY days DESC, first_day LIMIT 1) "
    "SELECT ? AS user_id, (SELECT count(*) FROM mine) AS plays, "
    "(SELECT round(coalesce(sum(ms_played), 0) / 3600000.0, 1) FROM mine) AS listening_hours, "
    "(SELECT count(*) FILTER (WHERE skipped) FROM mine) AS skips, "
    "(SELECT round(100.0 * count(*) FILTER (WHERE skipped) / nullif(count(*), 0), 1) FROM mine) AS skip_rate_pct, "
    "(SELECT count(DISTINCT artist_id) FROM mine) AS artists, (SELECT count(*) FROM days) AS active_days, "
    "coalesce((SELECT days FROM streak), 0) AS longest_streak_days, "
    "(SELECT first_day::VARCHAR FROM streak) AS streak_from, (SELECT last_day::VARCHAR FROM streak) AS streak_to";
// The five items ({1}) with the most listening time per year, from {2}, with
// the names {0}.
constexpr const char* kTopPerYear =
    "SELECT year, {0}, count(*) AS plays, round(sum(ms_played) / 3600000.0, 2) AS hours, "
    "row_number() OVER (PARTITION BY year ORDER BY sum(ms_played) DESC, count(*) DESC, {1}) AS rank "
    "FROM {2} GROUP BY year, {1} QUALIFY rank <= 5 ORDER BY year DESC, rank";
// Per local month: music plays, skips, hours, and the artists first played
// (over all of the listener's plays) that month; spoken hours per UTC month.
// Binds the user (firsts), then the user and the spoken filters; {0}: the
// spoken filter condition.
constexpr const char* kMonths =
    ", firsts AS (SELECT artist_id, min(local_date) AS first_day FROM fct_plays WHERE user_id = ? "
    "GROUP BY artist_id), "
    "music AS (SELECT strftime(local_date, '%Y-%m') AS month, count(*) AS plays, "
    "count(*) FILTER (WHERE skipped) AS skips, sum(ms_played) AS ms_played, "
    "count(DISTINCT artist_id) FILTER (WHERE local_date = f.first_day) AS new_artists "
    "FROM mine JOIN firsts f USING (artist_id) GROUP BY 1), "
    "spoken AS (SELECT strftime(date_key, '%Y-%m') AS month, sum(ms_played) AS ms_played "
    "FROM fct_episode_plays WHERE user_id = ? AND {0} GROUP BY 1) "
    "SELECT month, coalesce(m.plays, 0) AS plays, coalesce(m.skips, 0) AS skips, "
    "coalesce(m.new_artists, 0) AS new_artists, round(coalesce(m.ms_played, 0) / 3600000.0, 2) AS music_hours, "
    "round(coalesce(s.ms_played, 0) / 3600000.0, 2) AS spoken_hours "
    "FROM music m FULL JOIN spoken s USING (month) ORDER BY month";
constexpr const char* kClock =
    "SELECT local_hour AS hour, count(*) AS plays, round(sum(ms_played) / 3600000.0, 2) AS hours "
    "FROM mine GROUP BY local_hour ORDER BY local_hour";
constexpr const char* kMostSkipped =
    "SELECT any_value(track_name) AS track_name, any_value(artist_name) AS artist_name, "
    "count(*) FILTER (WHERE skipped) AS skips, count(*) AS plays FROM mine GROUP BY track_id "
    "HAVING skips > 0 ORDER BY skips DESC, plays DESC, track_id LIMIT 10";

std::vector<Param> Concat(std::vector<Param> first, const std::vector<Param>& second) {
  first.insert(first.end(), second.begin(), second.end());
  return first;
}

// One listener's page (question 12): the `user` parameter, or the listener with
// the most plays. Reads that listener's rows of fct_plays and
// fct_episode_plays under the filters (level does not apply to podcasts).
Result<json> ListenerEndpoint(warehouse::Database& db, const Params& params) {
  auto filters = ParseFilters(params, {"user"});
  if (!filters) return tl::unexpected(filters.error());
  const auto given = params.find("user");
  std::string user = given != params.end() ? given->second : "";
  if (!user.empty() && !IsListenerId(user)) {
    return Fail(ErrorCode::kInvalidArgument, "user: expected a listener id of 1 to 256 printable bytes");
  }
  Request q(db);
  json out;
  out["listeners"] = (q.Rows(
      "SELECT user_id, plays, listening_hours FROM user_engagement ORDER BY plays DESC, user_id LIMIT 100"));
  if (user.empty() && !out["listeners"].empty()) user = out["listeners"][0]["user_id"];
  const json known = q.Row(
      "SELECT (SELECT count(*) FROM user_engagement WHERE user_id = ?) + "
      "(SELECT count(*) FROM (SELECT 1 FROM fct_episode_plays WHERE user_id = ? LIMIT 1)) AS n", {user, user});
  if (!user.empty() && known.value("n", 1) == 0) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("user: no listener '{}' in gold", user.substr(0, 40)));
  }
  const Condition where = WhereClause(*filters);
  const std::vector<Param> bound = Concat({user}, where.params);
  const std::string mine = fmt::format(fmt::runtime(kMine), where.sql);
  Filters spoken_filters = *filters;
  spoken_filters.level.reset();
  const Condition spoken_where = WhereClause(spoken_filters);
  const std::vector<Param> spoken_bound = Concat({user}, spoken_where.params);
  const std::string spoken = fmt::format(fmt::runtime(kSpoken), spoken_where.sql);

  out["summary"] = (q.Row(mine + kSummary, Concat(bound, {user})));
  out["top_artists"] = (q.Rows(
      mine + fmt::format(fmt::runtime(kTopPerYear), "any_value(artist_name) AS artist_name", "artist_id", "mine"),
      bound));
  out["top_tracks"] = (q.Rows(mine + fmt::format(fmt::runtime(kTopPerYear),
                                                 "any_value(track_name) AS track_name, "
                                                 "any_value(artist_name) AS artist_name",
                                                 "track_id", "mine"),
                              bound));
  out["top_shows"] = (q.Rows(spoken + fmt::format(fmt::runtime(kTopPerYear),
                                                  "any_value(show_name) AS show_name, any_value(kind) AS kind",
                                                  "show_id", "spoken"),
                             spoken_bound));
  out["months"] = (q.Rows(mine + fmt::format(fmt::runtime(kMonths), spoken_where.sql),
                          Concat(Concat(bound, {user}), spoken_bound)));
  out["clock"] = (q.Rows(mine + kClock, bound));
  out["most_skipped"] = (q.Rows(mine + kMostSkipped, bound));
  out["scope"] = {{"listeners", "all listeners, all time"},
                  {"months.new_artists", "first play over all of the listener's plays"},
                  {"top_shows", "the level filter does not apply"}};
  return q.Finish(out);
}

Result<json> ReadJsonFile(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return json(nullptr);
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    return Fail(ErrorCode::kData, fmt::format("{}: {}", file.string(), e.what()));
  }
}

// The layer a manifest node belongs to, for colouring the lineage graph.
std::string LayerOf(const std::string& unique_id, const std::string& name) {
  if (unique_id.rfind("source.", 0) == 0) return "silver";
  if (unique_id.rfind("snapshot.", 0) == 0) return "snapshot";
  if (name.rfind("stg_", 0) == 0) return "staging";
  if (name.rfind("int_", 0) == 0) return "intermediate";
  if (name.rfind("fct_", 0) == 0 || name.rfind("dim_", 0) == 0) return "core";
  return "mart";
}

// Lineage nodes and edges (parent -> child) from a dbt-style manifest.json.
json Lineage(const json& manifest) {
  json nodes = json::array();
  json edges = json::array();
  if (!manifest.is_object()) return {{"nodes", nodes}, {"edges", edges}};
  for (const char* section : {"nodes", "sources"}) {
    if (!manifest.contains(section)) continue;
    for (const auto& [id, node] : manifest[section].items()) {
      const std::string type = node.value("resource_type", "");
      if (type == "test") continue;
      const std::string name = node.value("name", id);
      nodes.push_back({{"id", id}, {"name", name}, {"layer", LayerOf(id, name)}});
    }
  }
  if (manifest.contains("parent_map")) {
    for (const auto& [child, parents] : manifest["parent_map"].items()) {
      if (child.rfind("test.", 0) == 0) continue;
      for (const auto& parent : parents) {
        if (parent.get<std::string>().rfind("test.", 0) != 0) edges.push_back({parent, child});
      }
    }
  }
  return {{"nodes", nodes}, {"edges", edges}};
}

// The name of the model a test checks, from the manifest: the node a schema test is
// attached to, or a singular test's one parent; null for a test of several nodes.
json TestedModel(const json& manifest, const std::string& test_id) {
  if (!manifest.is_object() || !manifest.contains("nodes") || !manifest["nodes"].contains(test_id)) return nullptr;
  const json& test = manifest["nodes"][test_id];
  std::string node = test.value("attached_node", "");
  const json parents = test.contains("depends_on") ? test["depends_on"].value("nodes", json::array()) : json::array();
  if (node.empty() && parents.size() == 1) node = parents[0].get<std::string>();
  if (node.empty()) return nullptr;
  return node.substr(node.rfind('.') + 1);
}

// Data test results from a dbt-style run_results.json, with the model each checks.
json Tests(const json& run_results, const json& manifest) {
  json tests = json::array();
  if (!run_results.is_object() || !run_results.contains("results")) return tests;
  for (const auto& result : run_results["results"]) {
    const std::string id = result.value("unique_id", "");
    if (id.rfind("test.", 0) != 0) continue;
    tests.push_back({{"name", id.substr(5)},
                     {"model", TestedModel(manifest, id)},
                     {"status", result.value("status", "")},
                     {"failures", result.value("failures", json(nullptr))}});
  }
  return tests;
}

// The newest `limit` runs from runs.jsonl (one JSON object per line, oldest first).
json Runs(const std::filesystem::path& file, std::size_t limit) {
  std::ifstream in(file);
  std::vector<json> runs;
  std::string line;
  while (std::getline(in, line)) {
    json run = json::parse(line, nullptr, false);
    if (!run.is_discarded()) runs.push_back(std::move(run));
  }
  json out = json::array();
  for (auto it = runs.rbegin(); it != runs.rend() && out.size() < limit; ++it) out.push_back(*it);
  return out;
}

// Seconds since the epoch of an RFC 3339 UTC time ("2026-11-23T13:07:24Z"); 0 if unparsable.
long long EpochSeconds(const std::string& text) {
  std::tm tm{};
  if (!strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return 0;
  return static_cast<long long>(timegm(&tm));
}

std::string LabelValue(const json& value) {
  std::string out = value.is_string() ? value.get<std::string>() : value.dump();
  std::string escaped;
  for (char c : out) {
    if (c == '"' || c == '\\') escaped += '\\';
    if (c == '\n') { escaped += "\\n"; continue; }
    escaped += c;
  }
  return escaped;
}

}  // namespace

std::string PipelineMetrics(const std::filesystem::path& target_dir) {
  std::string out;
  std::map<std::string, long long> runs_by_status;
  long long last_success = 0;
  for (const auto& run : Runs(target_dir / "runs.jsonl", std::numeric_limits<std::size_t>::max())) {
    const std::string status = run.value("status", "unknown");
    runs_by_status[status]++;
    if (status == "success") last_success = std::max(last_success, EpochSeconds(run.value("finished_at", "")));
  }
  out += "# HELP playlake_pipeline_runs_total Pipeline runs recorded, by status.\n"
         "# TYPE playlake_pipeline_runs_total counter\n";
  for (const auto& [status, n] : runs_by_status) {
    out += fmt::format("playlake_pipeline_runs_total{{status=\"{}\"}} {}\n", status, n);
  }
  out += "# HELP playlake_pipeline_last_success_timestamp_seconds End of the last successful run.\n"
         "# TYPE playlake_pipeline_last_success_timestamp_seconds gauge\n";
  out += fmt::format("playlake_pipeline_last_success_timestamp_seconds {}\n", last_success);
  auto status = ReadJsonFile(target_dir / "pipeline_status.json");
  if (status && status->is_object()) {
    out += "# HELP playlake_table_rows Rows per table, by layer.\n# TYPE playlake_table_rows gauge\n";
    for (const auto& table : status->value("freshness", json::array())) {
      const std::string name = table.value("table", "");
      const auto dot = name.find('.');
      const std::string layer = dot == std::string::npos ? "" : name.substr(0, dot);
      out += fmt::format("playlake_table_rows{{layer=\"{}\",table=\"{}\"}} {}\n",
                         layer == "main" ? "gold" : layer, LabelValue(name.substr(dot + 1)),
                         table.value("rows", 0LL));
    }
    out += "# HELP playlake_quarantine_records Records in quarantine, by reason and format.\n"
           "# TYPE playlake_quarantine_records gauge\n";
    for (const auto& q : status->value("quarantine", json::array())) {
      out += fmt::format("playlake_quarantine_records{{reason=\"{}\",source_format=\"{}\"}} {}\n",
                         LabelValue(q.value("reason", json(""))), LabelValue(q.value("source_format", json(""))),
                         q.value("records", 0LL));
    }
  }
  return out;
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

std::function<void()> RegisterGoldApi(Server& server, warehouse::Reader& gold,
                                      GoldApiOptions options) {
  using Endpoint = Result<json> (*)(warehouse::Database&, const Params&);
  const std::pair<const char*, Endpoint> endpoints[] = {
      {"filters", FiltersEndpoint},     {"overview", OverviewEndpoint},
      {"trending", TrendingEndpoint},   {"artists", ArtistsEndpoint},
      {"geography", GeographyEndpoint}, {"devices", DevicesEndpoint},
      {"listeners", ListenersEndpoint}, {"listener", ListenerEndpoint},
      {"shows", ShowsEndpoint},
  };
  auto cache = std::make_shared<ResponseCache>(options.cache_entries);
  std::vector<ApiHandler> unfiltered;
  for (const auto& [name, endpoint] : endpoints) {
    ApiHandler handler = [&gold, cache, name = std::string(name),
                          endpoint = endpoint](const Params& params) -> Result<json> {
      const std::string key = ResponseCache::Key(name, params);
      // The build held here answers the whole request, even if a newer one lands meanwhile.
      const warehouse::Reader::Snapshot build = gold.Current();
      if (auto hit = cache->Find(key, build.generation)) return *std::move(hit);
      auto answer = endpoint(*build.db, params);
      if (answer) cache->Put(key, build.generation, *answer);
      return answer;
    };
    if (options.cache_entries > 0) unfiltered.push_back(handler);
    server.AddApi(name, std::move(handler));
  }
  // The dashboard opens on unfiltered pages: answer those before the first visitor.
  auto warm = [unfiltered] {
    for (const auto& handler : unfiltered) (void)handler({});
  };
  if (options.warm) warm();
  server.AddApi(
      "pipeline",
      [target = options.target_dir,
       schedule = options.schedule](const Params& params) -> Result<json> {
        if (auto filters = ParseFilters(params); !filters) return tl::unexpected(filters.error());
        auto manifest = ReadJsonFile(target / "manifest.json");
        if (!manifest) return tl::unexpected(manifest.error());
        auto run_results = ReadJsonFile(target / "run_results.json");
        if (!run_results) return tl::unexpected(run_results.error());
        auto status = ReadJsonFile(target / "pipeline_status.json");
        if (!status) return tl::unexpected(status.error());
        return json{{"runs", Runs(target / "runs.jsonl", 20)},
                    {"tests", Tests(*run_results, *manifest)},
                    {"freshness", status->is_object() ? status->value("freshness", json::array())
                                                      : json::array()},
                    {"quarantine", status->is_object() ? status->value("quarantine", json::array())
                                                       : json::array()},
                    {"drift", status->is_object() ? status->value("drift", json::array())
                                                  : json::array()},
                    {"lineage", Lineage(*manifest)},
                    {"schedule", schedule ? schedule() : json()}};
      });
  return warm;
}

}  // namespace playlake::serve
