// Spotify personal-data exports: extended streaming history and the legacy
// StreamingHistory*.json (music, podcast and audiobook files). Both record the
// END of a play; silver's event_ts is its start (end − ms_played), end_ts
// keeps the end. Export times are UTC: a play's time zone is the one the user
// set on the source, else its connection country's (country_zones.h).
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "sources/country_zones.h"
#include "sources/parser_internal.h"
#include "sources/standardize.h"
#include "sources/text.h"
#include "sources/timestamp.h"

namespace playlake::sources::internal {
namespace {

// clang-format off
enum HistoryKey {
  kTs, kUsername, kPlatform, kMsPlayed, kConnCountry, kUserAgent, kTrackName, kArtistName,
  kAlbumName, kTrackUri, kEpisodeName, kShowName, kEpisodeUri, kAudiobookTitle, kAudiobookUri,
  kChapterUri, kChapterTitle, kReasonStart, kReasonEnd, kShuffle, kSkipped, kOffline,
  kOfflineTimestamp, kIncognito, kIpAddr, kIpAddrDecrypted, kHistoryKeyCount
};
// clang-format on
constexpr std::array<std::string_view, kHistoryKeyCount> kHistoryKeys = {
    "ts",
    "username",
    "platform",
    "ms_played",
    "conn_country",
    "user_agent_decrypted",
    "master_metadata_track_name",
    "master_metadata_album_artist_name",
    "master_metadata_album_album_name",
    "spotify_track_uri",
    "episode_name",
    "episode_show_name",
    "spotify_episode_uri",
    "audiobook_title",
    "audiobook_uri",
    "audiobook_chapter_uri",
    "audiobook_chapter_title",
    "reason_start",
    "reason_end",
    "shuffle",
    "skipped",
    "offline",
    "offline_timestamp",
    "incognito_mode",
    "ip_addr",  // read so that it is known, never stored (docs/privacy.md)
    "ip_addr_decrypted"};

// Legacy files: StreamingHistory_music_N.json (and the older StreamingHistoryN.json),
// StreamingHistory_podcast_N.json, StreamingHistory_audiobook_N.json.
// clang-format off
enum LegacyKey {
  kEndTime, kArtist, kTrack, kLegacyMsPlayed, kPodcast, kEpisode, kAudiobook, kChapter, kAuthor,
  kLegacyKeyCount
};
// clang-format on
constexpr std::array<std::string_view, kLegacyKeyCount> kLegacyKeys = {
    "endTime",     "artistName",    "trackName",   "msPlayed",  "podcastName",
    "episodeName", "audiobookName", "chapterName", "authorName"};

// reason_start and reason_end values seen in exports of 2014-2024.
// clang-format off
constexpr std::array<std::string_view, 19> kReasons = {
    "appload", "autoplay", "backbtn", "clickrow", "clickside", "endplay", "fwdbtn", "logout",
    "persisted", "playbtn", "popup", "remote", "switched-to-audio", "switched-to-video",
    "trackdone", "trackerror", "unexpected-exit", "unexpected-exit-while-paused", "unknown"};
// clang-format on

void CheckReason(std::string_view field, std::string_view value, Cleaner& c) {
  if (value.data() == nullptr) return;
  if (std::find(kReasons.begin(), kReasons.end(), value) == kReasons.end()) {
    Observe(c.drift().unknown_values, field, value);
  }
}

// The zone of a play: the source's, else its country's (counted when approximate).
std::string_view PlayZone(const BatchContext& ctx, std::string_view country, Cleaner& c) {
  if (!ctx.timezone.empty()) return ctx.timezone;
  if (country.data() == nullptr) return {};
  const CountryZone* zone = ZoneOfCountry(country);
  if (zone == nullptr) return {};
  if (zone->approximate) Observe(c.drift().approximate_zones, country, zone->zone);
  return zone->zone;
}

constexpr std::int64_t kMaxMsPlayed = 86'400'000;

Error NoUser(const BatchContext& ctx) {
  return Error{ErrorCode::kInvalidArgument,
               fmt::format("{}: this Spotify export does not say whose listening it is (no "
                           "'username' field): pass --user NAME, or set `user:` on the source in "
                           "playlake.yml",
                           ctx.source_file)};
}

std::string_view BoolText(const std::optional<bool>& b) {
  return b ? (*b ? std::string_view("1") : std::string_view("0")) : std::string_view();
}

}  // namespace

std::span<const std::string_view> SpotifyHistoryKeys() { return kHistoryKeys; }
std::span<const std::string_view> SpotifyLegacyKeys() { return kLegacyKeys; }

Result<std::optional<Rejection>> ParseSpotifyHistory(Values v, const BatchContext& ctx,
                                                     std::int64_t line, Cleaner& c,
                                                     TableBatches& out) {
  std::array<std::string_view, kHistoryKeyCount> text{};
  for (int k = 0; k < kHistoryKeyCount; ++k) {
    if (k == kMsPlayed || k == kShuffle || k == kSkipped || k == kOffline || k == kIncognito ||
        k == kOfflineTimestamp) {
      continue;
    }
    if (auto r = AsText(v[k], kHistoryKeys[k], c, text[k], Table::kPlays)) return r;
  }
  std::string_view user = text[kUsername];
  if (user.data() == nullptr) {
    if (ctx.user.empty()) return tl::unexpected(NoUser(ctx));
    user = ctx.user;
  }
  const bool is_track = text[kTrackUri].data() != nullptr || text[kTrackName].data() != nullptr;
  const bool is_episode = text[kEpisodeUri].data() != nullptr || text[kEpisodeName].data() != nullptr;
  const bool is_audiobook =
      text[kAudiobookUri].data() != nullptr || text[kChapterUri].data() != nullptr;
  const Table T = (!is_track && (is_episode || is_audiobook)) ? Table::kEpisodes : Table::kPlays;

  if (text[kTs].data() == nullptr) return Missing("ts", T);
  const auto end = ParseRfc3339(text[kTs]);
  if (!end) {
    return Bad(reason::kInvalidTimestamp, T,
               fmt::format("field 'ts': '{}' is not RFC 3339", text[kTs].substr(0, 64)));
  }
  std::optional<std::int64_t> ms_played, offline_raw;
  if (auto r = AsInt(v[kMsPlayed], "ms_played", ms_played, T)) return r;
  if (!ms_played) return Missing("ms_played", T);
  if (*ms_played < 0 || *ms_played > kMaxMsPlayed) {
    return Bad(reason::kOutOfRange, T,
               fmt::format("field 'ms_played': {} is outside 0..{}", *ms_played, kMaxMsPlayed));
  }
  if (auto r = AsInt(v[kOfflineTimestamp], "offline_timestamp", offline_raw, T)) return r;
  std::optional<bool> shuffle, skipped, offline, incognito;
  if (auto r = AsBool(v[kShuffle], "shuffle", shuffle, T)) return r;
  if (auto r = AsBool(v[kSkipped], "skipped", skipped, T)) return r;
  if (auto r = AsBool(v[kOffline], "offline", offline, T)) return r;
  if (auto r = AsBool(v[kIncognito], "incognito_mode", incognito, T)) return r;
  if (!is_track && !is_episode && !is_audiobook) {
    return Bad(reason::kNoContent, T,
               "neither a track, an episode nor an audiobook (all content fields are null)");
  }
  const std::int64_t start = *end - *ms_played * 1000;
  if (start < kMinEventMicros || *end >= kMaxEventMicros) {
    return Bad(reason::kOutOfRange, T, fmt::format("field 'ts': '{}' is outside 1990..2100", text[kTs]));
  }
  // Plain values, not optional: g++ 12 warns (falsely) about optional copies here.
  const std::int64_t offline_value = offline_raw.value_or(0);
  const std::int64_t offline_micros = SpotifyOfflineTimestamp(offline_value).value_or(0);
  const bool has_offline_ts = offline_value > 0;
  std::string_view country = text[kConnCountry];
  if (country.data() != nullptr && !IsCountryCode(country)) {
    if (country != "ZZ") Observe(c.drift().unknown_values, "conn_country", country);
    country = {};  // "ZZ": Spotify's unknown
  }
  const DeviceInfo device = DeviceFromSpotifyPlatform(text[kPlatform]);
  if (!device.recognised) Observe(c.drift().unknown_values, "platform", text[kPlatform]);
  CheckReason("reason_start", text[kReasonStart], c);
  CheckReason("reason_end", text[kReasonEnd], c);

  const std::string_view ms_text = c.Keep(std::to_string(*ms_played));
  const std::string_view offline_text =
      offline_raw ? c.Keep(std::to_string(offline_value)) : std::string_view();
  const std::array<std::string_view, 16> id_parts{
      "spotify",           user,           text[kTs],          text[kTrackUri],
      text[kEpisodeUri],   text[kChapterUri], ms_text,         text[kPlatform],
      text[kReasonStart],  text[kReasonEnd], BoolText(shuffle), BoolText(skipped),
      BoolText(offline),   offline_text,   BoolText(incognito), text[kConnCountry]};
  const std::string_view id = ContentId(id_parts, c);

  if (T == Table::kPlays) {
    ColumnBatch& b = out[Table::kPlays];
    b.AddRow();
    b.SetKey(id);
    b.SetInt(kPlayEventTs, start);
    b.SetInt(kPlayEventDate, UtcDay(start));
    b.SetInt(kPlayEndTs, *end);
    b.SetText(kPlayUserId, user);
    PutText(b, kPlayTrackId, SpotifyId(text[kTrackUri]));
    PutText(b, kPlayTrackName, text[kTrackName]);
    PutText(b, kPlayArtistName, text[kArtistName]);
    PutText(b, kPlayAlbumName, text[kAlbumName]);
    b.SetInt(kPlayMsPlayed, *ms_played);
    PutText(b, kPlayCountry, country);
    PutText(b, kPlayTimezone, PlayZone(ctx, country, c));
    PutText(b, kPlayDevice, device.device);
    PutText(b, kPlayPlatform, device.platform);
    PutText(b, kPlayReasonStart, text[kReasonStart]);
    PutText(b, kPlayReasonEnd, text[kReasonEnd]);
    PutBool(b, kPlayShuffle, shuffle);
    PutBool(b, kPlaySkipped, skipped);
    PutBool(b, kPlayOffline, offline);
    if (has_offline_ts) b.SetInt(kPlayOfflineTs, offline_micros);
    PutBool(b, kPlayIncognito, incognito);
    PutText(b, kPlayUserAgent, text[kUserAgent]);
    PutLineage(b, kPlaySourceFormat, ctx, line);
  } else {
    ColumnBatch& b = out[Table::kEpisodes];
    b.AddRow();
    b.SetKey(id);
    b.SetInt(kEpEventTs, start);
    b.SetInt(kEpEventDate, UtcDay(start));
    b.SetInt(kEpEndTs, *end);
    b.SetText(kEpUserId, user);
    b.SetText(kEpKind, is_audiobook ? "audiobook" : "podcast");
    PutText(b, kEpEpisodeId, SpotifyId(text[kEpisodeUri]));
    PutText(b, kEpEpisodeName, text[kEpisodeName]);
    PutText(b, kEpShowName, text[kShowName]);
    PutText(b, kEpAudiobookId, SpotifyId(text[kAudiobookUri]));
    PutText(b, kEpAudiobookTitle, text[kAudiobookTitle]);
    PutText(b, kEpChapterId, SpotifyId(text[kChapterUri]));
    PutText(b, kEpChapterTitle, text[kChapterTitle]);
    b.SetInt(kEpMsPlayed, *ms_played);
    PutText(b, kEpCountry, country);
    PutText(b, kEpDevice, device.device);
    PutText(b, kEpPlatform, device.platform);
    PutText(b, kEpReasonStart, text[kReasonStart]);
    PutText(b, kEpReasonEnd, text[kReasonEnd]);
    PutBool(b, kEpShuffle, shuffle);
    PutBool(b, kEpSkipped, skipped);
    PutBool(b, kEpOffline, offline);
    if (has_offline_ts) b.SetInt(kEpOfflineTs, offline_micros);
    PutBool(b, kEpIncognito, incognito);
    PutLineage(b, kEpSourceFormat, ctx, line);
  }
  return std::optional<Rejection>();
}

Result<std::optional<Rejection>> ParseSpotifyLegacy(Values v, const BatchContext& ctx,
                                                    std::int64_t line, Cleaner& c,
                                                    TableBatches& out) {
  if (ctx.user.empty()) return tl::unexpected(NoUser(ctx));
  std::array<std::string_view, kLegacyKeyCount> text{};
  const bool is_podcast =
      v[kPodcast].kind == FieldValue::kString || v[kEpisode].kind == FieldValue::kString;
  const bool is_audiobook =
      v[kAudiobook].kind == FieldValue::kString || v[kChapter].kind == FieldValue::kString;
  const Table T = (is_podcast || is_audiobook) ? Table::kEpisodes : Table::kPlays;
  for (int k = 0; k < kLegacyKeyCount; ++k) {
    if (k == kLegacyMsPlayed) continue;
    if (auto r = AsText(v[k], kLegacyKeys[k], c, text[k], T)) return r;
  }
  std::optional<std::int64_t> ms_played;
  if (auto r = AsInt(v[kLegacyMsPlayed], "msPlayed", ms_played, T)) return r;
  const std::string_view end_text = text[kEndTime];
  if (end_text.data() == nullptr) return Missing("endTime", T);
  if (!ms_played) return Missing("msPlayed", T);
  // The item's name: a track's, an episode's, or an audiobook chapter's (or
  // the audiobook's, for files that name no chapter).
  const std::string_view item = T == Table::kPlays                 ? text[kTrack]
                                : is_podcast                       ? text[kEpisode]
                                : text[kChapter].data() != nullptr ? text[kChapter]
                                                                   : text[kAudiobook];
  if (item.data() == nullptr) {
    if (T == Table::kEpisodes) return Missing(is_podcast ? "episodeName" : "chapterName", T);
    return Bad(reason::kNoContent, T,
               "neither a track, a podcast episode nor an audiobook (no trackName, episodeName or "
               "audiobookName)");
  }
  const auto end = ParseMinuteUtc(end_text);
  if (!end) {
    return Bad(reason::kInvalidTimestamp, T,
               fmt::format("field 'endTime': '{}' is not 'YYYY-MM-DD HH:MM'", end_text.substr(0, 64)));
  }
  if (*ms_played < 0 || *ms_played > kMaxMsPlayed) {
    return Bad(reason::kOutOfRange, T,
               fmt::format("field 'msPlayed': {} is outside 0..{}", *ms_played, kMaxMsPlayed));
  }
  const std::int64_t start = *end - *ms_played * 1000;
  if (start < kMinEventMicros || *end >= kMaxEventMicros) {
    return Bad(reason::kOutOfRange, T, fmt::format("field 'endTime': '{}' is outside 1990..2100", end_text));
  }
  const std::string_view ms_text = c.Keep(std::to_string(*ms_played));
  if (T == Table::kPlays) {
    const std::array<std::string_view, 6> id_parts{"spotify-legacy", ctx.user,     end_text,
                                                   text[kArtist],    text[kTrack], ms_text};
    ColumnBatch& b = out[T];
    b.AddRow();
    b.SetKey(ContentId(id_parts, c));
    b.SetInt(kPlayEventTs, start);
    b.SetInt(kPlayEventDate, UtcDay(start));
    b.SetInt(kPlayEndTs, *end);
    b.SetText(kPlayUserId, ctx.user);
    b.SetText(kPlayTrackName, text[kTrack]);
    PutText(b, kPlayArtistName, text[kArtist]);
    b.SetInt(kPlayMsPlayed, *ms_played);
    if (!ctx.timezone.empty()) b.SetText(kPlayTimezone, ctx.timezone);
    PutLineage(b, kPlaySourceFormat, ctx, line);
    return std::optional<Rejection>();
  }
  const std::string_view kind = is_podcast ? "podcast" : "audiobook";
  const std::string_view show = is_podcast ? text[kPodcast] : text[kAudiobook];
  const std::array<std::string_view, 6> id_parts{
      "spotify-legacy",
      ctx.user,
      end_text,
      c.Keep(fmt::format("{}:{}", kind, show.data() ? show : "")),
      item,
      ms_text};
  ColumnBatch& b = out[T];
  b.AddRow();
  b.SetKey(ContentId(id_parts, c));
  b.SetInt(kEpEventTs, start);
  b.SetInt(kEpEventDate, UtcDay(start));
  b.SetInt(kEpEndTs, *end);
  b.SetText(kEpUserId, ctx.user);
  b.SetText(kEpKind, kind);
  if (is_podcast) {
    PutText(b, kEpEpisodeName, text[kEpisode]);
    PutText(b, kEpShowName, text[kPodcast]);
  } else {
    PutText(b, kEpAudiobookTitle, text[kAudiobook]);
    PutText(b, kEpChapterTitle, text[kChapter]);
  }
  b.SetInt(kEpMsPlayed, *ms_played);
  PutLineage(b, kEpSourceFormat, ctx, line);
  return std::optional<Rejection>();
}

}  // namespace playlake::sources::internal
