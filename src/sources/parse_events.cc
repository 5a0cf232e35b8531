// Playlake NDJSON play events and eventsim / Sparkify logs.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "sources/parser_internal.h"
#include "sources/standardize.h"
#include "sources/text.h"
#include "sources/timestamp.h"

namespace playlake::sources::internal {
namespace {

constexpr std::int64_t kMaxMsPlayed = 86'400'000;
constexpr std::size_t kMaxIdBytes = 128;
constexpr std::size_t kMaxNameBytes = 1024;

// Event times: RFC 3339 strings or epoch milliseconds.
std::optional<Rejection> EventTime(const FieldValue& v, std::string_view field, Table target,
                                   std::int64_t& micros) {
  if (v.kind == FieldValue::kAbsent || v.kind == FieldValue::kNull) return Missing(field, target);
  std::optional<std::int64_t> t;
  if (v.kind == FieldValue::kInt) {
    t = EpochMillisToMicros(v.i);
  } else if (v.kind == FieldValue::kString) {
    t = ParseRfc3339(Trim(v.s));
    if (!t) {
      return Bad(reason::kInvalidTimestamp, target,
                 fmt::format("field '{}': '{}' is not RFC 3339 with an offset", field,
                             v.s.substr(0, 64)));
    }
  } else {
    return Bad(reason::kWrongType, target,
               fmt::format("field '{}': expected an RFC 3339 string or epoch milliseconds, got {}",
                           field, KindName(v.kind)));
  }
  if (*t < kMinEventMicros || *t >= kMaxEventMicros) {
    return Bad(reason::kOutOfRange, target,
               fmt::format("field '{}': {} µs is outside 1990..2100", field, *t));
  }
  micros = *t;
  return std::nullopt;
}

std::optional<Rejection> RequireId(std::string_view value, std::string_view field, Table target) {
  if (value.data() == nullptr) return Missing(field, target);
  if (value.size() > kMaxIdBytes) {
    return Bad(reason::kOutOfRange, target,
               fmt::format("field '{}': {} bytes, the limit is {}", field, value.size(), kMaxIdBytes));
  }
  return std::nullopt;
}

std::string_view Lower(std::string_view text, Cleaner& c) {
  if (text.data() == nullptr) return text;
  if (std::none_of(text.begin(), text.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; })) {
    return text;  // already lower case: no copy
  }
  std::string& s = c.Scratch();
  s.assign(text);
  for (char& ch : s) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return s;
}

enum PlaylakeKey {
  kPkEventId, kPkTs, kPkUserId, kPkTrackId, kPkMsPlayed, kPkSessionId, kPkArtistId, kPkAlbumId, kPkTrackName,
  kPkArtistName, kPkAlbumName, kPkDurationMs, kPkCountry, kPkRegion, kPkCity, kPkTimezone, kPkDevice, kPkPlatform,
  kPkLevel, kPkReasonStart, kPkReasonEnd, kPkShuffle, kPkSkipped, kPkOffline, kPkKeyCount
};
constexpr std::array<std::string_view, kPkKeyCount> kPlaylakeKeys = {
    "event_id",   "ts",          "user_id",     "track_id",  "ms_played",    "session_id",
    "artist_id",  "album_id",    "track_name",  "artist_name", "album_name", "duration_ms",
    "country",    "region",      "city",        "timezone",  "device",       "platform",
    "level",      "reason_start", "reason_end", "shuffle",   "skipped",      "offline"};

enum EventsimKey {
  kEsArtist, kEsAuth, kEsFirstName, kEsGender, kEsItemInSession, kEsLastName, kEsLength,
  kEsLevel, kEsLocation, kEsMethod, kEsPage, kEsRegistration, kEsSessionId, kEsSong, kEsStatus,
  kEsTs, kEsUserAgent, kEsUserId, kEventsimKeyCount
};
constexpr std::array<std::string_view, kEventsimKeyCount> kEventsimKeys = {
    "artist", "auth",         "firstName", "gender",    "itemInSession", "lastName",
    "length", "level",        "location",  "method",    "page",          "registration",
    "sessionId", "song",      "status",    "ts",        "userAgent",     "userId"};

}  // namespace

std::span<const std::string_view> PlaylakeKeys() { return kPlaylakeKeys; }
std::span<const std::string_view> EventsimKeys() { return kEventsimKeys; }

std::optional<Rejection> ParsePlaylake(Values v, const BatchContext& ctx, std::int64_t line,
                                       Cleaner& c, TableBatches& out, PlayRules rules) {
  constexpr Table T = Table::kPlays;
  std::array<std::string_view, kPkKeyCount> text{};
  // Every text field first: a wrong type anywhere rejects the record.
  for (int k : {kPkEventId, kPkUserId, kPkTrackId, kPkSessionId, kPkArtistId, kPkAlbumId, kPkTrackName,
                kPkArtistName, kPkAlbumName, kPkCountry, kPkRegion, kPkCity, kPkTimezone, kPkDevice, kPkPlatform,
                kPkLevel, kPkReasonStart, kPkReasonEnd}) {
    if (v[k].kind == FieldValue::kInt || v[k].kind == FieldValue::kDouble) {
      if (k != kPkSessionId) {
        return Bad(reason::kWrongType, T,
                   fmt::format("field '{}': expected string, got {}", kPlaylakeKeys[k],
                               KindName(v[k].kind)));
      }
    }
    if (auto r = AsText(v[k], kPlaylakeKeys[k], c, text[k], T)) return r;
  }
  if (auto r = RequireId(text[kPkEventId], "event_id", T)) return r;
  if (auto r = RequireId(text[kPkUserId], "user_id", T)) return r;
  if (rules.track_id_required || text[kPkTrackId].data() != nullptr) {
    if (auto r = RequireId(text[kPkTrackId], "track_id", T)) return r;
  }
  for (int k : {kPkTrackName, kPkArtistName, kPkAlbumName}) {
    if (text[k].size() > kMaxNameBytes) {
      return Bad(reason::kOutOfRange, T,
                 fmt::format("field '{}': {} bytes, the limit is {}", kPlaylakeKeys[k],
                             text[k].size(), kMaxNameBytes));
    }
  }
  std::int64_t ts = 0;
  if (auto r = EventTime(v[kPkTs], "ts", T, ts)) return r;
  std::optional<std::int64_t> ms_played, duration_ms;
  if (rules.ms_played_required &&
      (v[kPkMsPlayed].kind == FieldValue::kAbsent || v[kPkMsPlayed].kind == FieldValue::kNull)) {
    return Missing("ms_played", T);
  }
  if (auto r = AsInt(v[kPkMsPlayed], "ms_played", ms_played, T)) return r;
  if (ms_played && (*ms_played < 0 || *ms_played > kMaxMsPlayed)) {
    return Bad(reason::kOutOfRange, T,
               fmt::format("field 'ms_played': {} is outside 0..{}", *ms_played, kMaxMsPlayed));
  }
  if (auto r = AsInt(v[kPkDurationMs], "duration_ms", duration_ms, T)) return r;
  if (duration_ms && (*duration_ms < 1 || *duration_ms > kMaxMsPlayed)) {
    return Bad(reason::kOutOfRange, T,
               fmt::format("field 'duration_ms': {} is outside 1..{}", *duration_ms, kMaxMsPlayed));
  }
  std::optional<bool> shuffle, skipped, offline;
  if (auto r = AsBool(v[kPkShuffle], "shuffle", shuffle, T)) return r;
  if (auto r = AsBool(v[kPkSkipped], "skipped", skipped, T)) return r;
  if (auto r = AsBool(v[kPkOffline], "offline", offline, T)) return r;

  std::string_view country = text[kPkCountry];
  if (country.data() != nullptr) {
    std::string_view upper = country;
    if (std::any_of(country.begin(), country.end(), [](char ch) { return ch >= 'a' && ch <= 'z'; })) {
      std::string& copy = c.Scratch();
      copy.assign(country);
      for (char& ch : copy) {
        if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
      }
      upper = copy;
    }
    if (!IsCountryCode(upper)) {
      return Bad(reason::kInvalidValue, T,
                 fmt::format("field 'country': '{}' is not an ISO 3166-1 alpha-2 code",
                             country.substr(0, 32)));
    }
    country = upper;
  }
  const std::string_view device = Lower(text[kPkDevice], c);
  if (device.data() != nullptr && !IsDevice(device)) {
    return Bad(reason::kInvalidValue, T,
               fmt::format("field 'device': '{}' is not one of mobile, desktop, web, tablet, tv, "
                           "car, speaker, console",
                           device.substr(0, 32)));
  }
  std::string_view level = text[kPkLevel];
  if (level.data() != nullptr) {
    level = NormalizeLevel(level);
    if (level.empty()) {
      return Bad(reason::kInvalidValue, T,
                 fmt::format("field 'level': '{}' is not free or paid", text[kPkLevel].substr(0, 32)));
    }
  }

  ColumnBatch& b = out[T];
  b.AddRow();
  b.SetKey(text[kPkEventId]);
  b.SetInt(kPlayEventTs, ts);
  b.SetInt(kPlayEventDate, UtcDay(ts));
  b.SetText(kPlayUserId, text[kPkUserId]);
  PutText(b, kPlaySessionId, text[kPkSessionId]);
  PutText(b, kPlayTrackId, SpotifyId(text[kPkTrackId]));
  PutText(b, kPlayArtistId, SpotifyId(text[kPkArtistId]));
  PutText(b, kPlayAlbumId, SpotifyId(text[kPkAlbumId]));
  PutText(b, kPlayTrackName, text[kPkTrackName]);
  PutText(b, kPlayArtistName, text[kPkArtistName]);
  PutText(b, kPlayAlbumName, text[kPkAlbumName]);
  PutInt(b, kPlayMsPlayed, ms_played);
  PutInt(b, kPlayDurationMs, duration_ms);
  PutText(b, kPlayCountry, country);
  PutText(b, kPlayRegion, text[kPkRegion]);
  PutText(b, kPlayCity, text[kPkCity]);
  PutText(b, kPlayTimezone, text[kPkTimezone]);
  PutText(b, kPlayDevice, device);
  PutText(b, kPlayPlatform, Lower(text[kPkPlatform], c));
  PutText(b, kPlayLevel, level);
  PutText(b, kPlayReasonStart, Lower(text[kPkReasonStart], c));
  PutText(b, kPlayReasonEnd, Lower(text[kPkReasonEnd], c));
  PutBool(b, kPlayShuffle, shuffle);
  PutBool(b, kPlaySkipped, skipped);
  PutBool(b, kPlayOffline, offline);
  PutLineage(b, kPlaySourceFormat, ctx, line);
  return std::nullopt;
}

std::optional<Rejection> ParseEventsim(Values v, const BatchContext& ctx, std::int64_t line,
                                       Cleaner& c, TableBatches& out) {
  std::string_view page;
  if (auto r = AsText(v[kEsPage], "page", c, page, Table::kPageViews)) return r;
  if (page.data() == nullptr) return Missing("page", Table::kPageViews);
  const bool is_play = page == "NextSong";
  const Table T = is_play ? Table::kPlays : Table::kPageViews;

  std::array<std::string_view, kEventsimKeyCount> text{};
  for (int k : {kEsArtist, kEsAuth, kEsFirstName, kEsGender, kEsLastName, kEsLevel, kEsLocation,
                kEsMethod, kEsSong, kEsUserAgent, kEsUserId, kEsSessionId}) {
    if (auto r = AsText(v[k], kEventsimKeys[k], c, text[k], T)) return r;
  }
  if (v[kEsTs].kind != FieldValue::kInt) {
    if (v[kEsTs].kind == FieldValue::kAbsent || v[kEsTs].kind == FieldValue::kNull) {
      return Missing("ts", T);
    }
    return Bad(reason::kWrongType, T,
               fmt::format("field 'ts': expected epoch milliseconds, got {}", KindName(v[kEsTs].kind)));
  }
  const std::int64_t ts = EpochMillisToMicros(v[kEsTs].i);
  if (ts < kMinEventMicros || ts >= kMaxEventMicros) {
    return Bad(reason::kOutOfRange, T, fmt::format("field 'ts': {} ms is outside 1990..2100", v[kEsTs].i));
  }
  if (text[kEsSessionId].data() == nullptr) return Missing("sessionId", T);
  std::optional<std::int64_t> item, status, registration_ms;
  std::optional<double> length;
  if (auto r = AsInt(v[kEsItemInSession], "itemInSession", item, T)) return r;
  if (!item) return Missing("itemInSession", T);
  if (auto r = AsInt(v[kEsStatus], "status", status, T)) return r;
  if (auto r = AsInt(v[kEsRegistration], "registration", registration_ms, T)) return r;
  if (auto r = AsDouble(v[kEsLength], "length", length, T)) return r;

  const std::string_view user_agent =
      text[kEsUserAgent].data() == nullptr ? std::string_view() : c.Text(StripQuotes(text[kEsUserAgent]));
  const DeviceInfo device = DeviceFromUserAgent(user_agent);
  UsLocation location;
  const bool has_location =
      text[kEsLocation].data() != nullptr && ParseUsMetroLocation(text[kEsLocation], location);
  std::string_view level = text[kEsLevel];
  if (level.data() != nullptr) {
    level = NormalizeLevel(level);
    if (level.empty()) {
      return Bad(reason::kInvalidValue, T,
                 fmt::format("field 'level': '{}' is not free or paid", text[kEsLevel].substr(0, 32)));
    }
  }
  const std::string_view user_id = text[kEsUserId];  // "" (logged out) is NULL
  const std::string_view ts_text = c.Keep(std::to_string(v[kEsTs].i));
  const std::string_view item_text = c.Keep(std::to_string(*item));
  const std::array<std::string_view, 5> id_parts{"eventsim", user_id, text[kEsSessionId], item_text,
                                                 ts_text};
  const std::string_view id = ContentId(id_parts, c);

  if (is_play) {
    if (user_id.data() == nullptr) return Missing("userId", T);
    if (text[kEsSong].data() == nullptr) return Missing("song", T);
    if (text[kEsArtist].data() == nullptr) return Missing("artist", T);
    if (!length) return Missing("length", T);
    if (*length <= 0 || *length * 1000 > 86'400'000) {
      return Bad(reason::kOutOfRange, T, fmt::format("field 'length': {} s is not a track length", *length));
    }
    const std::int64_t duration_ms = std::llround(*length * 1000);
    ColumnBatch& b = out[Table::kPlays];
    b.AddRow();
    b.SetKey(id);
    b.SetInt(kPlayEventTs, ts);
    b.SetInt(kPlayEventDate, UtcDay(ts));
    b.SetText(kPlayUserId, user_id);
    b.SetText(kPlaySessionId, text[kEsSessionId]);
    b.SetInt(kPlayItemInSession, *item);
    b.SetText(kPlayTrackName, text[kEsSong]);
    b.SetText(kPlayArtistName, text[kEsArtist]);
    // eventsim logs a NextSong when a song starts and simulates full listens.
    b.SetInt(kPlayMsPlayed, duration_ms);
    b.SetInt(kPlayDurationMs, duration_ms);
    if (has_location) {
      b.SetText(kPlayCountry, "US");
      b.SetText(kPlayRegion, location.region);
      b.SetText(kPlayCity, location.city);
      b.SetText(kPlayTimezone, location.timezone);
    }
    PutText(b, kPlayDevice, device.device);
    PutText(b, kPlayPlatform, device.platform);
    PutText(b, kPlayLevel, level);
    PutText(b, kPlayUserAgent, user_agent);
    PutLineage(b, kPlaySourceFormat, ctx, line);
  } else {
    ColumnBatch& b = out[Table::kPageViews];
    b.AddRow();
    b.SetKey(id);
    b.SetInt(kPvEventTs, ts);
    b.SetInt(kPvEventDate, UtcDay(ts));
    PutText(b, kPvUserId, user_id);
    b.SetText(kPvSessionId, text[kEsSessionId]);
    b.SetInt(kPvItemInSession, *item);
    b.SetText(kPvPage, page);
    PutText(b, kPvAuth, text[kEsAuth]);
    PutText(b, kPvMethod, text[kEsMethod]);
    PutInt(b, kPvHttpStatus, status);
    PutText(b, kPvLevel, level);
    if (has_location) {
      b.SetText(kPvCountry, "US");
      b.SetText(kPvRegion, location.region);
      b.SetText(kPvCity, location.city);
      b.SetText(kPvTimezone, location.timezone);
    }
    PutText(b, kPvDevice, device.device);
    PutText(b, kPvPlatform, device.platform);
    PutText(b, kPvUserAgent, user_agent);
    PutLineage(b, kPvSourceFormat, ctx, line);
  }

  // A logged-in event also tells us who the user is (one row per distinct version).
  if (user_id.data() != nullptr && text[kEsFirstName].data() != nullptr) {
    const std::string_view registration =
        registration_ms ? c.Keep(std::to_string(*registration_ms)) : std::string_view();
    const std::array<std::string_view, 9> user_parts{
        user_id,           text[kEsFirstName], text[kEsLastName], text[kEsGender], level,
        text[kEsLocation], registration,       device.device,     device.platform};
    ColumnBatch& u = out[Table::kUsers];
    u.AddRow();
    u.SetKey(ContentId(user_parts, c));
    u.SetText(kUserId, user_id);
    PutText(u, kUserFirstName, text[kEsFirstName]);
    PutText(u, kUserLastName, text[kEsLastName]);
    PutText(u, kUserGender, text[kEsGender]);
    PutText(u, kUserLevel, level);
    if (has_location) {
      u.SetText(kUserCountry, "US");
      u.SetText(kUserRegion, location.region);
      u.SetText(kUserCity, location.city);
      u.SetText(kUserTimezone, location.timezone);
    }
    if (registration_ms) u.SetInt(kUserRegistrationTs, EpochMillisToMicros(*registration_ms));
    PutText(u, kUserDevice, device.device);
    PutText(u, kUserPlatform, device.platform);
    u.SetInt(kUserObservedTs, ts);
    PutLineage(u, kUserSourceFormat, ctx, line);
  }
  return std::nullopt;
}

}  // namespace playlake::sources::internal
