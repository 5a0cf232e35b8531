#include "spotify/enrich.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "common/rfc3339.h"
#include "silver/views.h"
#include "warehouse/duckdb.h"

namespace playlake::spotify {
namespace {

using nlohmann::json;
using Missing = std::map<std::string, std::int64_t>;

// One kind of catalog object and how it is looked up.
struct Entity {
  const char* name;      // bronze pull, endpoint name in spotify_app_access: "tracks"
  const char* table;     // silver table
  const char* path;      // "/tracks": one id at "/tracks/ID", several at "/tracks?ids=A,B"
  const char* list_key;  // the array of a batch answer: {"tracks": [...]}
  std::size_t batch;     // the most ids one batch request may name
};

constexpr Entity kTracks{"tracks", "spotify_tracks", "/tracks", "tracks", 50};
constexpr Entity kArtists{"artists", "spotify_artists", "/artists", "artists", 50};
constexpr Entity kAlbums{"albums", "spotify_albums", "/albums", "albums", 20};
constexpr Entity kFeatures{"audio_features", "spotify_audio_features", "/audio-features",
                           "audio_features", 100};

// A DuckDB list literal of strings: ["art rock", "glam rock"].
std::string ListLiteral(const json& values) {
  std::string out = "[";
  for (const json& value : values) {
    if (!value.is_string()) continue;
    if (out.size() > 1) out += ", ";
    out += '"';
    for (char c : value.get<std::string>()) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "]";
}

// A silver row built from an answer's fields; a field the answer lacks (or
// gives as null) is NULL and counted as "<table>.<column>".
class RowBuilder {
 public:
  RowBuilder(const char* table, std::string id, const std::string& fetched_at, Missing& missing)
      : table_(table), missing_(missing), row_{std::move(id), fetched_at} {}

  RowBuilder& Add(const json& object, const char* key, const char* column = nullptr) {
    const json* value = nullptr;
    if (object.is_object()) {
      const auto found = object.find(key);
      if (found != object.end() && !found->is_null()) value = &*found;
    }
    if (value == nullptr) {
      ++missing_[fmt::format("{}.{}", table_, column ? column : key)];
      row_.emplace_back(std::nullopt);
    } else if (value->is_string()) {
      row_.emplace_back(value->get<std::string>());
    } else if (value->is_boolean()) {
      row_.emplace_back(value->get<bool>() ? "true" : "false");
    } else if (value->is_array()) {
      row_.emplace_back(ListLiteral(*value));
    } else {
      row_.emplace_back(value->dump());
    }
    return *this;
  }
  // A value computed by the caller (nullopt counts as missing).
  RowBuilder& Put(warehouse::Param value, const char* column) {
    if (!value) ++missing_[fmt::format("{}.{}", table_, column)];
    row_.push_back(std::move(value));
    return *this;
  }
  SilverRow Row() { return std::move(row_); }

 private:
  const char* table_;
  Missing& missing_;
  SilverRow row_;
};

const json& First(const json& object, const char* key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  const auto found = object.find(key);
  if (found == object.end() || !found->is_array() || found->empty()) return kNull;
  return found->front();
}

// "2019" → 2019-01-01, "2019-05" → 2019-05-01 (release_date_precision says which);
// nullopt for anything else (Spotify's "0000" for an unknown year among them).
warehouse::Param ReleaseDate(const json& album) {
  const auto found = album.find("release_date");
  if (found == album.end() || !found->is_string()) return std::nullopt;
  const std::string text = found->get<std::string>();
  if (text.size() < 4 || text.starts_with("0000")) return std::nullopt;
  if (text.size() == 4) return text + "-01-01";
  if (text.size() == 7) return text + "-01";
  if (text.size() == 10) return text;
  return std::nullopt;
}

SilverRow CatalogRow(const Entity& entity, const std::string& id, const json& object,
                     const std::string& at, Missing& missing) {
  RowBuilder row(entity.table, id, at, missing);
  if (&entity == &kTracks) {
    const json& artist = First(object, "artists");
    row.Add(object, "name")
        .Add(artist, "id", "artist_id")
        .Add(artist, "name", "artist_name")
        .Add(object.value("album", json()), "id", "album_id")
        .Add(object, "duration_ms")
        .Add(object, "explicit")
        .Add(object, "popularity");
  } else if (&entity == &kArtists) {
    row.Add(object, "name").Add(object, "genres").Add(object, "popularity");
    row.Add(object.value("followers", json()), "total", "followers");
  } else if (&entity == &kAlbums) {
    row.Add(object, "name")
        .Add(object, "album_type")
        .Add(First(object, "artists"), "id", "artist_id")
        .Put(ReleaseDate(object), "release_date")
        .Add(object, "release_date_precision")
        .Add(object, "label")
        .Add(object, "popularity");
  } else {
    for (const char* feature :
         {"danceability", "energy", "valence", "tempo", "acousticness", "instrumentalness",
          "speechiness", "liveness", "loudness", "key", "mode", "time_signature"}) {
      row.Add(object, feature);
    }
  }
  return row.Row();
}

// A row for an id Spotify does not know: the id, when it was asked, NULLs.
SilverRow NotFoundRow(const Entity& entity, const std::string& id, const std::string& at) {
  SilverRow row{id, at};
  row.resize(FindSilverTable(entity.table)->columns.size());
  return row;
}

// One batch in the lake: one batch request, or one request per id for a
// group of ids (so an app refused the batch endpoints does not write a
// silver file per id).
struct Lookup {
  std::vector<std::string> paths;  // "/tracks?ids=A,B", or "/tracks/A", "/tracks/B"
  std::vector<std::string> ids;
  bool batch = false;
};

enum class Outcome { kLanded, kRefused, kStopped };

struct Access {
  bool allowed = true;
  std::string checked_at;
};

class Enricher {
 public:
  Enricher(Lander& lander, const config::SourceConfig& source, ApiClient& client,
           PullReport& report)
      : lander_(lander), source_(source), client_(client), report_(report) {
    const auto now = lander.lake().Now();
    fetched_at_ = FormatRfc3339(now);
    const auto cutoff = now - std::chrono::days(source.spotify_api->refresh_age_days);
    cutoff_ = FormatRfc3339(cutoff);
  }

  Status Run();

 private:
  // The silver views over what is committed now (each step adds files).
  Status RefreshViews();
  Result<std::vector<std::string>> Ids(const std::string& sql);
  Status LoadAccess();
  // Looks up `ids` of `entity`: batch requests unless refused, then per id.
  Status Enrich(const Entity& entity, const std::vector<std::string>& ids);
  // Runs lookups [from, end) `concurrency` at a time; stops at a refusal or a rate limit.
  Result<Outcome> RunAll(const Entity& entity, const std::vector<Lookup>& lookups,
                         std::size_t from);
  Result<Outcome> Fetch(const Entity& entity, const Lookup& lookup);
  Status RecordRefusal(const std::string& endpoint, const std::string& url, long status);
  // Says that `entity` is not available for this app (refused on `since`).
  Status Refused(const Entity& entity, const std::string& since);
  void Warn(std::string warning);
  static std::string Endpoint(const Entity& entity, bool batch) {
    return std::string(entity.name) + (batch ? "_batch" : "");
  }
  bool Stopped() {
    std::lock_guard lock(mutex_);
    return stopped_;
  }
  std::optional<Access> Known(const std::string& endpoint) {
    std::lock_guard lock(mutex_);
    const auto found = access_.find(endpoint);
    if (found == access_.end()) return std::nullopt;
    return found->second;
  }

  Lander& lander_;
  const config::SourceConfig& source_;
  ApiClient& client_;
  PullReport& report_;
  std::string fetched_at_, cutoff_;
  std::unique_ptr<warehouse::Database> db_;
  std::unique_ptr<warehouse::Connection> conn_;
  std::mutex mutex_;
  std::map<std::string, Access> access_;  // guarded by mutex_: endpoint → last fresh check
  bool stopped_ = false;                  // guarded by mutex_: a rate limit stopped it
};

void Enricher::Warn(std::string warning) {
  spdlog::warn("source {}: {}", source_.name, warning);
  std::lock_guard lock(mutex_);
  report_.warnings.push_back(fmt::format("source {}: {}", source_.name, std::move(warning)));
}

Status Enricher::RefreshViews() {
  if (!conn_) {
    auto db = warehouse::Database::Open(":memory:",
                                        {.threads = 1, .memory_limit = "", .read_only = false});
    if (!db) return tl::unexpected(db.error());
    auto conn = (*db)->Connect();
    if (!conn) return tl::unexpected(conn.error());
    db_ = std::move(*db);
    conn_ = std::move(*conn);
    if (auto s = conn_->Execute("SET TimeZone = 'UTC'"); !s) return s;
  }
  return silver::CreateSilverViews(*conn_, lander_.lake());
}

Result<std::vector<std::string>> Enricher::Ids(const std::string& sql) {
  if (auto s = RefreshViews(); !s) return tl::unexpected(s.error());
  auto table = conn_->Query(sql);
  if (!table) return tl::unexpected(table.error());
  std::vector<std::string> ids;
  for (const auto& row : table->rows) {
    if (row[0]) ids.push_back(*row[0]);
  }
  return ids;
}

Status Enricher::LoadAccess() {
  if (auto s = RefreshViews(); !s) return s;
  auto table = conn_->Query(fmt::format(
      "SELECT endpoint, arg_max(allowed, checked_at), strftime(max(checked_at), '%Y-%m-%d') "
      "FROM spotify_app_access WHERE checked_at >= TIMESTAMPTZ '{}' GROUP BY endpoint",
      cutoff_));
  if (!table) return tl::unexpected(table.error());
  for (const auto& row : table->rows) {
    access_[*row[0]] = Access{row[1] == "true", row[2].value_or("")};
  }
  return {};
}

Status Enricher::RecordRefusal(const std::string& endpoint, const std::string& url, long status) {
  {
    std::lock_guard lock(mutex_);
    access_[endpoint] = Access{false, fetched_at_.substr(0, 10)};
  }
  // Bronze keeps what was answered: the status, not a body the client drops.
  const json note{{"endpoint", endpoint}, {"status", status}, {"checked_at", fetched_at_}};
  TableRows rows{
      {"spotify_app_access", {{endpoint, fetched_at_, "false", std::to_string(status)}}}};
  return lander_.Land("app_access", url, note.dump(), rows, {}, fetched_at_);
}

Result<Outcome> Enricher::Fetch(const Entity& entity, const Lookup& lookup) {
  const std::string& base = source_.spotify_api->api_base;
  const std::string endpoint = Endpoint(entity, lookup.batch);
  // One answer per request: the batch's, or each id's in turn.
  std::vector<json> answers;
  std::string body;  // what bronze keeps: the batch's answer, or the answers in a JSON array
  for (const std::string& path : lookup.paths) {
    auto text = client_.GetText(path);
    if (!text) {
      const ApiError& error = text.error();
      if (error.kind == ApiErrorKind::kForbidden) {
        if (auto s = RecordRefusal(endpoint, base + path, error.http_status); !s) {
          return tl::unexpected(s.error());
        }
        return Outcome::kRefused;
      }
      if (error.kind == ApiErrorKind::kRateLimitedPastCap) {
        std::lock_guard lock(mutex_);
        if (!stopped_) {
          report_.warnings.push_back(fmt::format("source {}: stopped at its last checkpoint: {}",
                                                 source_.name, error.error.message));
        }
        stopped_ = true;
        return Outcome::kStopped;
      }
      if (error.kind != ApiErrorKind::kNotFound || lookup.batch) {
        return tl::unexpected(error.error);
      }
      // An id Spotify does not know: recorded, so it is not asked again
      // before the refresh age.
      text = json{{"status", 404}, {"path", path}}.dump();
    }
    answers.push_back(json::parse(*text, nullptr, false));
    body += (body.empty() ? "" : ",") + *text;
  }
  if (!lookup.batch) body = "[" + body + "]";
  // id → its object (nullptr: Spotify does not know it)
  std::vector<std::pair<std::string, const json*>> objects;
  const json* list = nullptr;
  if (lookup.batch && answers[0].is_object() && answers[0].contains(entity.list_key)) {
    list = &answers[0][entity.list_key];
  }
  if (lookup.batch && !(list && list->is_array() && list->size() == lookup.ids.size())) {
    return Fail(ErrorCode::kData, fmt::format("GET {}{}: the answer is not the {} asked for", base,
                                              entity.path, entity.name));
  }
  for (std::size_t i = 0; i < lookup.ids.size(); ++i) {
    const json* object = lookup.batch ? &(*list)[i] : &answers[i];
    const bool found = object->is_object() && !object->contains("status");
    objects.emplace_back(lookup.ids[i], found ? object : nullptr);
  }
  Missing missing;
  TableRows rows;
  auto& table_rows = rows[entity.table];
  for (const auto& [id, object] : objects) {
    if (object == nullptr) {
      ++missing[fmt::format("{}.not_found", entity.table)];
      table_rows.push_back(NotFoundRow(entity, id, fetched_at_));
    } else {
      table_rows.push_back(CatalogRow(entity, id, *object, fetched_at_, missing));
    }
  }
  {
    // The first answer of an endpoint not checked since the refresh age
    // records that the app may use it.
    std::lock_guard lock(mutex_);
    if (!access_.contains(endpoint)) {
      access_[endpoint] = Access{true, fetched_at_.substr(0, 10)};
      rows["spotify_app_access"] = {{endpoint, fetched_at_, "true", "200"}};
    }
  }
  // The request's URL; for one request per id, the ids in braces.
  const std::string url =
      lookup.batch ? base + lookup.paths[0]
                   : fmt::format("{}{}/{{{}}}", base, entity.path, fmt::join(lookup.ids, ","));
  if (auto s = lander_.Land(entity.name, url, body, rows, {}, fetched_at_); !s) {
    return tl::unexpected(s.error());
  }
  std::lock_guard lock(mutex_);
  for (const auto& [field, count] : missing) report_.missing[field] += count;
  return Outcome::kLanded;
}

Result<Outcome> Enricher::RunAll(const Entity& entity, const std::vector<Lookup>& lookups,
                                 std::size_t from) {
  std::atomic<std::size_t> next{from};
  std::atomic<bool> done{false};
  std::mutex result_mutex;
  Result<Outcome> result = Outcome::kLanded;
  const auto worker = [&] {
    while (!done) {
      const std::size_t i = next++;
      if (i >= lookups.size()) return;
      auto outcome = Fetch(entity, lookups[i]);
      if (outcome && *outcome == Outcome::kLanded) continue;
      done = true;
      std::lock_guard lock(result_mutex);
      if (result && *result == Outcome::kLanded) result = std::move(outcome);
    }
  };
  const std::size_t threads =
      std::min<std::size_t>(std::max(1, source_.spotify_api->concurrency),
                            lookups.size() - std::min(from, lookups.size()));
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& thread : pool) thread.join();
  return result;
}

Status Enricher::Enrich(const Entity& entity, const std::vector<std::string>& ids) {
  if (ids.empty()) return {};
  const std::optional<Access> single = Known(Endpoint(entity, false));
  if (single && !single->allowed) return Refused(entity, single->checked_at);
  const std::optional<Access> batch = Known(Endpoint(entity, true));
  if (batch && !batch->allowed) {
    Warn(fmt::format("{}: one request per id (GET {}?ids= refused with 403 on {})", entity.name,
                     entity.path, batch->checked_at));
  }
  std::vector<Lookup> lookups;
  const bool use_batch = !batch || batch->allowed;
  // Per id, the ids are grouped so that every worker has a group.
  const std::size_t workers = std::max(1, source_.spotify_api->concurrency);
  const std::size_t group =
      use_batch ? entity.batch
                : std::clamp<std::size_t>((ids.size() + workers - 1) / workers, 1, entity.batch);
  for (std::size_t i = 0; i < ids.size(); i += group) {
    Lookup lookup{{}, {}, use_batch};
    for (std::size_t j = i; j < std::min(ids.size(), i + group); ++j) {
      lookup.ids.push_back(ids[j]);
      if (!use_batch) lookup.paths.push_back(fmt::format("{}/{}", entity.path, ids[j]));
    }
    if (use_batch) {
      lookup.paths.push_back(fmt::format("{}?ids={}", entity.path, fmt::join(lookup.ids, ",")));
    }
    lookups.push_back(std::move(lookup));
  }
  // An endpoint not checked recently is tried with one request first: a
  // refusal then costs one request, not one per id.
  std::size_t from = 0;
  if (!Known(Endpoint(entity, lookups[0].batch))) {
    if (!lookups[0].batch && lookups[0].ids.size() > 1) {
      Lookup probe{{lookups[0].paths[0]}, {lookups[0].ids[0]}, false};
      lookups[0].paths.erase(lookups[0].paths.begin());
      lookups[0].ids.erase(lookups[0].ids.begin());
      lookups.insert(lookups.begin(), std::move(probe));
    }
    auto first = Fetch(entity, lookups[0]);
    if (!first) return tl::unexpected(first.error());
    if (*first == Outcome::kStopped) return {};
    if (*first == Outcome::kRefused && lookups[0].batch) return Enrich(entity, ids);  // per id
    if (*first == Outcome::kRefused) return Refused(entity, fetched_at_.substr(0, 10));
    from = 1;
  }
  auto outcome = RunAll(entity, lookups, from);
  if (!outcome) return tl::unexpected(outcome.error());
  if (*outcome == Outcome::kRefused) return Refused(entity, fetched_at_.substr(0, 10));
  return {};
}

Status Enricher::Refused(const Entity& entity, const std::string& since) {
  Warn(
      fmt::format("{}: not available for this app (GET {} refused with 403 on {}; asked again "
                  "{} days after that)",
                  entity.name, entity.path, since, source_.spotify_api->refresh_age_days));
  return {};
}

Status Enricher::Run() {
  if (auto s = LoadAccess(); !s) return s;
  const std::string fresh =
      fmt::format("SELECT {{0}} FROM {{1}} WHERE fetched_at >= TIMESTAMPTZ '{}'", cutoff_);
  // Spotify ids are 22 base-62 characters; anything else (a local file's
  // track, a name-derived key) is not asked for.
  auto tracks = Ids(fmt::format(
      "SELECT DISTINCT track_id FROM (SELECT track_id FROM spotify_plays UNION ALL "
      "SELECT track_id FROM plays WHERE source_format = 'spotify-history') "
      "WHERE regexp_full_match(track_id, '[0-9A-Za-z]{{22}}') AND track_id NOT IN ({}) ORDER BY 1",
      fmt::format(fmt::runtime(fresh), "track_id", "spotify_tracks")));
  if (!tracks) return tl::unexpected(tracks.error());
  if (auto s = Enrich(kTracks, *tracks); !s || Stopped()) return s;
  for (const auto* entity : {&kArtists, &kAlbums}) {
    const std::string column = &kArtists == entity ? "artist_id" : "album_id";
    auto ids = Ids(fmt::format(
        "SELECT DISTINCT {0} FROM spotify_tracks WHERE {0} IS NOT NULL AND {0} NOT IN ({1}) "
        "ORDER BY 1",
        column, fmt::format(fmt::runtime(fresh), column, entity->table)));
    if (!ids) return tl::unexpected(ids.error());
    if (auto s = Enrich(*entity, *ids); !s || Stopped()) return s;
  }
  // Audio features of a track do not change: asked once per track.
  auto features =
      Ids("SELECT DISTINCT track_id FROM spotify_tracks WHERE name IS NOT NULL AND track_id NOT IN "
          "(SELECT track_id FROM spotify_audio_features) ORDER BY 1");
  if (!features) return tl::unexpected(features.error());
  return Enrich(kFeatures, *features);
}

}  // namespace

Status EnrichCatalog(Lander& lander, const config::SourceConfig& source, ApiClient& client,
                     PullReport& report) {
  Enricher enricher(lander, source, client, report);
  return enricher.Run();
}

}  // namespace playlake::spotify
