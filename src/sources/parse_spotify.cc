// Spotify personal-data exports: extended streaming history and the legacy
// StreamingHistory*.json. Both record the END of a play; silver's event_ts is
// its start (end − ms_played), end_ts keeps the end.
#include <fmt/format.h>

#include <array>

#include "sources/parser_internal.h"
#include "sources/standardize.h"
#include "sources/text.h"
#include "sources/timestamp.h"

namespace playlake::sources::internal {
namespace {

enum HistoryKey {
  kTs, kUsername, kPlatform, kMsPlayed, kConnCountry, kUserAgent, kTrackName, kArtistName,
  kAlbumName, kTrackUri, kEpisodeName, kShowName, kEpisodeUri, kAudiobookTitle, kAudiobookUri,
  kChapterUri, kChapterTitle, kReasonStart, kReasonEnd, kShuffle, kSkipped, kOffline,
  kOfflineTimestamp, kIncognito, kHistoryKeyCount
};
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
    "incognito_mode"};

enum LegacyKey { kEndTime, kArtist, kTrack, kLegacyMsPlayed, kLegacyKeyCount };
constexpr std::array<std::string_view, kLegacyKeyCount> kLegacyKeys = {"endTime", "artistName",
                                                                       "trackName", "msPlayed"};

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
  if (country.data() != nullptr && !IsCountryCode(country)) country = {};  // "ZZ": unknown
  const DeviceInfo device = DeviceFromSpotifyPlatform(text[kPlatform]);

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
  constexpr Table T = Table::kPlays;
  if (ctx.user.empty()) return tl::unexpected(NoUser(ctx));
  std::string_view end_text, artist, track;
  if (auto r = AsText(v[kEndTime], "endTime", c, end_text, T)) return r;
  if (auto r = AsText(v[kArtist], "artistName", c, artist, T)) return r;
  if (auto r = AsText(v[kTrack], "trackName", c, track, T)) return r;
  std::optional<std::int64_t> ms_played;
  if (auto r = AsInt(v[kLegacyMsPlayed], "msPlayed", ms_played, T)) return r;
  if (end_text.data() == nullptr) return Missing("endTime", T);
  if (!ms_played) return Missing("msPlayed", T);
  if (track.data() == nullptr) return Missing("trackName", T);
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
  const std::array<std::string_view, 6> id_parts{
      "spotify-legacy", ctx.user, end_text, artist, track, c.Keep(std::to_string(*ms_played))};
  ColumnBatch& b = out[T];
  b.AddRow();
  b.SetKey(ContentId(id_parts, c));
  b.SetInt(kPlayEventTs, start);
  b.SetInt(kPlayEventDate, UtcDay(start));
  b.SetInt(kPlayEndTs, *end);
  b.SetText(kPlayUserId, ctx.user);
  b.SetText(kPlayTrackName, track);
  PutText(b, kPlayArtistName, artist);
  b.SetInt(kPlayMsPlayed, *ms_played);
  PutLineage(b, kPlaySourceFormat, ctx, line);
  return std::optional<Rejection>();
}

}  // namespace playlake::sources::internal
