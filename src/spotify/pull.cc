#include "spotify/pull.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/rfc3339.h"
#include "lake/bronze.h"
#include "sources/timestamp.h"
#include "spotify/enrich.h"
#include "spotify/land.h"

namespace playlake::spotify {
namespace {

using nlohmann::json;

constexpr const char* kCheckpointStat = "checkpoint.after_ms";
constexpr int kRecentlyPlayedLimit = 50;  // the most Spotify returns per call

// "2024-05-15T10:00:00.000Z" as ms since the epoch.
std::optional<std::int64_t> EpochMillis(const json& text) {
  if (!text.is_string()) return std::nullopt;
  const auto micros = sources::ParseRfc3339(text.get<std::string>());
  if (!micros) return std::nullopt;
  return *micros / 1000;
}

std::string IsoMillis(std::int64_t ms) {
  return FormatRfc3339(
      std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(ms)));
}

std::optional<std::string> Text(const json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  const auto found = object.find(key);
  if (found == object.end() || !found->is_string()) return std::nullopt;
  return found->get<std::string>();
}

// The name of the first of `object`'s artists.
std::optional<std::string> FirstArtistName(const json& object) {
  if (!object.is_object()) return std::nullopt;
  const auto artists = object.find("artists");
  if (artists == object.end() || !artists->is_array() || artists->empty()) return std::nullopt;
  return Text(artists->front(), "name");
}

// One pull of one source: lands answers, keeps the report.
class Puller {
 public:
  Puller(lake::Lake& lake, const config::SourceConfig& source, ApiClient& client, Lander& lander,
         PullReport& report)
      : lake_(lake), source_(source), client_(client), lander_(lander), report_(report) {}

  Status RecentlyPlayed();
  // Top tracks or artists (`kind`) for the three time ranges.
  Status Top(const std::string& kind);
  Status SavedTracks();
  // The listener's playlists, then each one's items.
  Status Playlists();
  // True once a rate limit stopped the pull: later pulls are not started.
  bool stopped() const { return stopped_; }

 private:
  // A rate limit past the cap stops the pull cleanly (what is committed
  // stays, the next run goes on from there); other errors are errors.
  Status Stopped(const ApiError& error) {
    if (error.kind != ApiErrorKind::kRateLimitedPastCap) return tl::unexpected(error.error);
    stopped_ = true;
    std::string warning = fmt::format("source {}: stopped at its last checkpoint: {}", source_.name,
                                      error.error.message);
    spdlog::warn("{}", warning);
    report_.warnings.push_back(std::move(warning));
    return {};
  }

  // Lands every page of the paging object at `path`, following `next` until
  // it is null; `rows_of` gives a page's silver rows. Returns false when a
  // rate limit stopped it (see Stopped).
  using PageRows = std::function<TableRows(const json& page, std::int64_t offset)>;
  ApiResult<bool> Paged(const std::string& pull, const std::string& path, const PageRows& rows_of);
  Status Finish(const ApiResult<bool>& paged) {
    if (paged) return {};
    return Stopped(paged.error());
  }

  lake::Lake& lake_;
  const config::SourceConfig& source_;
  ApiClient& client_;
  Lander& lander_;
  PullReport& report_;
  bool stopped_ = false;
};

Status Puller::RecentlyPlayed() {
  auto checkpoint = RecentlyPlayedCheckpoint(lake_, source_.name);
  if (!checkpoint) return tl::unexpected(checkpoint.error());
  std::string url = fmt::format("/me/player/recently-played?limit={}", kRecentlyPlayedLimit);
  if (*checkpoint > 0) url += fmt::format("&after={}", *checkpoint);
  auto body = client_.GetText(url);
  if (!body) return Stopped(body.error());
  const json page = json::parse(*body, nullptr, false);
  if (!page.is_object() || !page.contains("items") || !page["items"].is_array()) {
    return Fail(ErrorCode::kData, fmt::format("GET {}: the answer has no `items` list",
                                              url.substr(0, url.find('?'))));
  }
  // The plays are the listener's the source names (the user an export of
  // theirs names, so gold pairs the same listens), else the source's.
  const std::string& user = source_.user.empty() ? source_.name : source_.user;
  std::vector<SilverRow> plays;
  std::int64_t newest = *checkpoint, oldest = 0;
  for (const json& item : page["items"]) {
    const auto played_at = EpochMillis(item.value("played_at", json()));
    const auto track_id = Text(item.value("track", json()), "id");
    if (!played_at || !track_id) {
      report_.warnings.push_back(
          fmt::format("source {}: a recently played item without played_at or track id was kept in "
                      "bronze only",
                      source_.name));
      continue;
    }
    newest = std::max(newest, *played_at);
    oldest = oldest == 0 ? *played_at : std::min(oldest, *played_at);
    const json context = item.value("context", json());
    const json& track = item["track"];
    const json album = track.value("album", json());
    // The album's artist, as exports name it (master_metadata_album_artist_name).
    std::optional<std::string> artist = FirstArtistName(album);
    if (!artist) artist = FirstArtistName(track);
    const json duration = track.value("duration_ms", json());
    plays.push_back({item["played_at"].get<std::string>(), *track_id, Text(context, "type"),
                     Text(context, "uri"), user, Text(track, "name"), artist, Text(album, "name"),
                     duration.is_number_integer()
                         ? std::optional(std::to_string(duration.get<std::int64_t>()))
                         : std::nullopt});
  }
  // Spotify keeps a listener's last 50 plays: a full page that starts after
  // the checkpoint may have lost the plays in between.
  if (*checkpoint > 0 && static_cast<int>(page["items"].size()) >= kRecentlyPlayedLimit &&
      oldest > *checkpoint) {
    std::string warning = fmt::format(
        "source {}: plays between {} and {} may be missing (Spotify keeps only the last 50; "
        "pull more often)",
        source_.name, IsoMillis(*checkpoint), IsoMillis(oldest));
    spdlog::warn("{}", warning);
    report_.warnings.push_back(std::move(warning));
  }
  return lander_.Land("recently_played", source_.spotify_api->api_base + url, *body,
                      {{"spotify_plays", plays}}, {{kCheckpointStat, newest}});
}

ApiResult<bool> Puller::Paged(const std::string& pull, const std::string& path,
                              const PageRows& rows_of) {
  const auto as_api_error = [](const Error& error) {
    return tl::unexpected(ApiError{ApiErrorKind::kClientError, 0, std::chrono::seconds(0), error});
  };
  std::string next = path;
  while (!stopped_) {
    auto body = client_.GetText(next);
    if (!body) return tl::unexpected(body.error());
    const json page = json::parse(*body, nullptr, false);
    if (!page.is_object() || !page.contains("items") || !page["items"].is_array()) {
      return as_api_error(
          Error{ErrorCode::kData, fmt::format("GET {}: the answer is not a page of items",
                                              next.substr(0, next.find('?')))});
    }
    const std::int64_t offset = page.value("offset", std::int64_t{0});
    const std::string url = next.starts_with("/") ? source_.spotify_api->api_base + next : next;
    if (Status s = lander_.Land(pull, url, *body, rows_of(page, offset), {}); !s) {
      return as_api_error(s.error());
    }
    const auto found = page.find("next");
    if (found == page.end() || !found->is_string()) return true;
    next = found->get<std::string>();
  }
  return false;
}

Status Puller::Top(const std::string& kind) {
  const std::string table = "spotify_top_" + kind;  // top_tracks, top_artists
  const std::string today = lake::UtcDate(lake_.Now());
  for (const char* range : {"short_term", "medium_term", "long_term"}) {
    if (stopped_) break;
    const auto rows_of = [&](const json& page, std::int64_t offset) {
      std::vector<SilverRow> rows;
      for (const json& item : page["items"]) {
        rows.push_back({today, range, std::to_string(offset + rows.size() + 1), Text(item, "id")});
      }
      return TableRows{{table, std::move(rows)}};
    };
    if (Status s = Finish(Paged(
            "top_" + kind, fmt::format("/me/top/{}?time_range={}&limit=50", kind, range), rows_of));
        !s) {
      return s;
    }
  }
  return {};
}

Status Puller::SavedTracks() {
  return Finish(Paged("saved_tracks", "/me/tracks?limit=50", [](const json& page, std::int64_t) {
    std::vector<SilverRow> rows;
    for (const json& item : page["items"]) {
      rows.push_back({Text(item, "added_at"), Text(item.value("track", json()), "id")});
    }
    return TableRows{{"spotify_saved_tracks", std::move(rows)}};
  }));
}

Status Puller::Playlists() {
  std::vector<std::pair<std::string, std::optional<std::string>>> playlists;  // id, snapshot
  const auto list_rows = [&](const json& page, std::int64_t) {
    std::vector<SilverRow> rows;
    for (const json& item : page["items"]) {
      const auto id = Text(item, "id");
      if (!id) continue;
      const json total = item.value("items", item.value("tracks", json())).value("total", json());
      const auto flag = [&](const char* key) -> warehouse::Param {
        const auto found = item.find(key);
        if (found == item.end() || !found->is_boolean()) return std::nullopt;
        return found->get<bool>() ? "true" : "false";
      };
      playlists.emplace_back(*id, Text(item, "snapshot_id"));
      rows.push_back({*id, Text(item, "snapshot_id"), Text(item, "name"),
                      Text(item.value("owner", json()), "id"), flag("public"),
                      flag("collaborative"),
                      total.is_number_integer() ? warehouse::Param(total.dump()) : std::nullopt});
    }
    return TableRows{{"spotify_playlists", std::move(rows)}};
  };
  if (Status s = Finish(Paged("playlists", "/me/playlists?limit=50", list_rows)); !s) return s;
  for (const auto& [id, snapshot] : playlists) {
    if (stopped_) break;
    const auto item_rows = [&](const json& page, std::int64_t offset) {
      std::vector<SilverRow> rows;
      for (const json& item : page["items"]) {
        // The moved endpoint calls the track `item`; the old one `track`.
        const json track = item.value("item", item.value("track", json()));
        rows.push_back({id, snapshot, std::to_string(offset + rows.size()), Text(item, "added_at"),
                        Text(track, "id")});
      }
      return TableRows{{"spotify_playlist_items", std::move(rows)}};
    };
    auto paged =
        Paged("playlist_items", fmt::format("/playlists/{}/items?limit=100", id), item_rows);
    if (!paged && paged.error().kind == ApiErrorKind::kNotFound) {
      // An API that predates the move answers only at /tracks.
      paged = Paged("playlist_items", fmt::format("/playlists/{}/tracks?limit=100", id), item_rows);
    }
    if (Status s = Finish(paged); !s) return s;
  }
  return {};
}

}  // namespace

std::string PullReport::Summary() const {
  std::string text =
      fmt::format("spotify source {}: {} requests, {} answers landed, {} seen before", source,
                  requests, responses, already);
  for (const auto& [table, count] : rows) text += fmt::format(", {} +{}", table, count);
  std::string fields;
  for (const auto& [field, count] : missing) {
    fields += fmt::format("{}{} {}", fields.empty() ? "" : ", ", field, count);
  }
  if (!fields.empty()) text += "; missing (NULL): " + fields;
  for (const auto& warning : warnings) text += "; " + warning;
  return text;
}

Result<std::int64_t> RecentlyPlayedCheckpoint(lake::Lake& lake, const std::string& source) {
  auto entries = lake.Entries("silver");
  if (!entries) return tl::unexpected(entries.error());
  std::int64_t checkpoint = 0;
  for (const auto& entry : *entries) {
    if (entry.source != source || entry.entity != "recently_played") continue;
    const auto found = entry.stats.find(kCheckpointStat);
    if (found != entry.stats.end()) checkpoint = std::max(checkpoint, found->second);
  }
  return checkpoint;
}

Result<PullReport> PullSpotifySource(lake::Lake& lake, const config::SourceConfig& source,
                                     ApiClient& client) {
  PullReport report;
  report.source = source.name;
  auto lock = lake.storage().LockWriters([&](const std::string& holder) {
    spdlog::info("source {}: waiting for another writer of the lake ({})", source.name, holder);
  });
  if (!lock) return tl::unexpected(lock.error());
  auto writer = SilverRowWriter::Create();
  if (!writer) return tl::unexpected(writer.error());
  Lander lander(lake, source.name, **writer, report);
  Puller puller(lake, source, client, lander, report);
  const auto& pulls = source.spotify_api->pulls;
  const std::int64_t sent_before = client.requests_sent();
  const auto wanted = [&](const char* pull) {
    return std::find(pulls.begin(), pulls.end(), pull) != pulls.end();
  };
  Status status;
  if (wanted("recently_played")) status = puller.RecentlyPlayed();
  if (status && !puller.stopped() && wanted("top_tracks")) status = puller.Top("tracks");
  if (status && !puller.stopped() && wanted("top_artists")) status = puller.Top("artists");
  if (status && !puller.stopped() && wanted("saved_tracks")) status = puller.SavedTracks();
  if (status && !puller.stopped() && wanted("playlists")) status = puller.Playlists();
  if (status && !puller.stopped() && source.spotify_api->enrichment) {
    status = EnrichCatalog(lander, source, client, report);
  }
  report.requests = client.requests_sent() - sent_before;
  if (!status) return tl::unexpected(status.error());
  return report;
}

}  // namespace playlake::spotify
