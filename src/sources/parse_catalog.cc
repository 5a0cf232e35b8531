// Catalog inputs: Million Song Dataset song files and the simulator's
// artists/albums/tracks/users.jsonl.
#include <fmt/format.h>

#include <array>
#include <cmath>

#include "sources/parser_internal.h"
#include "sources/standardize.h"
#include "sources/timestamp.h"

namespace playlake::sources::internal {
namespace {

enum MsdKey {
  kMsdArtistId, kMsdLatitude, kMsdLongitude, kMsdLocation, kMsdArtistName, kMsdSongId, kMsdTitle,
  kMsdDuration, kMsdYear, kMsdNumSongs, kMsdKeyCount
};
constexpr std::array<std::string_view, kMsdKeyCount> kMsdKeys = {
    "artist_id", "artist_latitude", "artist_longitude", "artist_location", "artist_name",
    "song_id",   "title",           "duration",         "year",            "num_songs"};

constexpr std::array<std::string_view, 4> kArtistKeys = {"artist_id", "name", "genre", "country"};
constexpr std::array<std::string_view, 5> kAlbumKeys = {"album_id", "artist_id", "name",
                                                        "release_date", "album_type"};
constexpr std::array<std::string_view, 17> kTrackKeys = {
    "track_id",     "name",   "artist_id", "album_id",     "genre",
    "duration_ms",  "release_date", "explicit", "danceability", "energy",
    "valence",      "acousticness", "instrumentalness", "speechiness", "liveness",
    "tempo",        "loudness"};
constexpr std::array<std::string_view, 12> kUserKeys = {
    "user_id", "first_name", "last_name", "gender",          "country", "region",
    "city",    "timezone",   "registration_ts", "level",     "device",  "platform"};

// Reads every field of a catalog record as text, except the named numeric ones.
std::optional<Rejection> Texts(Values v, std::span<const std::string_view> keys, Cleaner& c,
                               Table t, std::span<std::string_view> out) {
  for (std::size_t k = 0; k < keys.size(); ++k) {
    if (v[k].kind == FieldValue::kInt || v[k].kind == FieldValue::kDouble ||
        v[k].kind == FieldValue::kBool) {
      continue;  // numeric fields are read by the caller
    }
    if (auto r = AsText(v[k], keys[k], c, out[k], t)) return r;
  }
  return std::nullopt;
}

std::optional<Rejection> Date(std::string_view text, std::string_view field, Table t,
                              std::optional<std::int64_t>& days) {
  days.reset();
  if (text.data() == nullptr) return std::nullopt;
  const auto micros = ParseDate(text);
  if (!micros) {
    return Bad(reason::kInvalidTimestamp, t,
               fmt::format("field '{}': '{}' is not YYYY-MM-DD", field, text.substr(0, 32)));
  }
  days = UtcDay(*micros);
  return std::nullopt;
}

std::optional<Rejection> Country(std::string_view& country, Table t) {
  if (country.data() != nullptr && !IsCountryCode(country)) {
    return Bad(reason::kInvalidValue, t,
               fmt::format("field 'country': '{}' is not an ISO 3166-1 alpha-2 code",
                           country.substr(0, 32)));
  }
  return std::nullopt;
}

}  // namespace

std::span<const std::string_view> MsdSongKeys() { return kMsdKeys; }

std::span<const std::string_view> CatalogKeys(std::string_view entity) {
  if (entity == "artists") return kArtistKeys;
  if (entity == "albums") return kAlbumKeys;
  if (entity == "users") return kUserKeys;
  return kTrackKeys;
}

std::optional<Rejection> ParseMsdSong(Values v, const BatchContext& ctx, std::int64_t line,
                                      Cleaner& c, TableBatches& out) {
  constexpr Table T = Table::kTracks;
  std::array<std::string_view, kMsdKeyCount> text{};
  for (int k : {kMsdArtistId, kMsdLocation, kMsdArtistName, kMsdSongId, kMsdTitle}) {
    if (auto r = AsText(v[k], kMsdKeys[k], c, text[k], T)) return r;
  }
  std::optional<double> duration, latitude, longitude;
  std::optional<std::int64_t> year;
  if (auto r = AsDouble(v[kMsdDuration], "duration", duration, T)) return r;
  if (auto r = AsDouble(v[kMsdLatitude], "artist_latitude", latitude, T)) return r;
  if (auto r = AsDouble(v[kMsdLongitude], "artist_longitude", longitude, T)) return r;
  if (auto r = AsInt(v[kMsdYear], "year", year, T)) return r;
  if (text[kMsdSongId].data() == nullptr) return Missing("song_id", T);
  if (text[kMsdTitle].data() == nullptr) return Missing("title", T);
  if (text[kMsdArtistId].data() == nullptr) return Missing("artist_id", T);
  if (duration && (*duration < 0 || *duration > 86'400)) {
    return Bad(reason::kOutOfRange, T, fmt::format("field 'duration': {} s", *duration));
  }
  if (year && *year == 0) year.reset();  // MSD: 0 means unknown
  if (year && (*year < 1000 || *year > 2100)) {
    return Bad(reason::kOutOfRange, T, fmt::format("field 'year': {}", *year));
  }
  ColumnBatch& t = out[Table::kTracks];
  t.AddRow();
  t.SetKey(text[kMsdSongId]);
  t.SetText(kTrackName, text[kMsdTitle]);
  t.SetText(kTrackArtistId, text[kMsdArtistId]);
  PutText(t, kTrackArtistName, text[kMsdArtistName]);
  if (duration) t.SetInt(kTrackDurationMs, std::llround(*duration * 1000));
  PutInt(t, kTrackYear, year);
  PutLineage(t, kTrackSourceFormat, ctx, line);

  ColumnBatch& a = out[Table::kArtists];
  a.AddRow();
  a.SetKey(text[kMsdArtistId]);
  PutText(a, kArtistName, text[kMsdArtistName]);
  PutText(a, kArtistLocation, text[kMsdLocation]);
  PutDouble(a, kArtistLatitude, latitude);
  PutDouble(a, kArtistLongitude, longitude);
  PutLineage(a, kArtistSourceFormat, ctx, line);
  return std::nullopt;
}

std::optional<Rejection> ParseCatalog(std::string_view entity, Values v, const BatchContext& ctx,
                                      std::int64_t line, Cleaner& c, TableBatches& out) {
  if (entity == "artists") {
    constexpr Table T = Table::kArtists;
    std::array<std::string_view, kArtistKeys.size()> s{};
    if (auto r = Texts(v, kArtistKeys, c, T, s)) return r;
    if (s[0].data() == nullptr) return Missing("artist_id", T);
    if (s[1].data() == nullptr) return Missing("name", T);
    if (auto r = Country(s[3], T)) return r;
    ColumnBatch& b = out[T];
    b.AddRow();
    b.SetKey(s[0]);
    b.SetText(kArtistName, s[1]);
    PutText(b, kArtistGenre, s[2]);
    PutText(b, kArtistCountry, s[3]);
    PutLineage(b, kArtistSourceFormat, ctx, line);
    return std::nullopt;
  }
  if (entity == "albums") {
    constexpr Table T = Table::kAlbums;
    std::array<std::string_view, kAlbumKeys.size()> s{};
    if (auto r = Texts(v, kAlbumKeys, c, T, s)) return r;
    if (s[0].data() == nullptr) return Missing("album_id", T);
    if (s[2].data() == nullptr) return Missing("name", T);
    std::optional<std::int64_t> release;
    if (auto r = Date(s[3], "release_date", T, release)) return r;
    ColumnBatch& b = out[T];
    b.AddRow();
    b.SetKey(s[0]);
    PutText(b, kAlbumArtistId, s[1]);
    b.SetText(kAlbumName, s[2]);
    PutInt(b, kAlbumReleaseDate, release);
    PutText(b, kAlbumType, s[4]);
    PutLineage(b, kAlbumSourceFormat, ctx, line);
    return std::nullopt;
  }
  if (entity == "users") {
    constexpr Table T = Table::kUsers;
    std::array<std::string_view, kUserKeys.size()> s{};
    if (auto r = Texts(v, kUserKeys, c, T, s)) return r;
    if (s[0].data() == nullptr) return Missing("user_id", T);
    if (auto r = Country(s[4], T)) return r;
    std::optional<std::int64_t> registration;
    if (s[8].data() != nullptr) {
      registration = ParseRfc3339(s[8]);
      if (!registration) {
        return Bad(reason::kInvalidTimestamp, T,
                   fmt::format("field 'registration_ts': '{}' is not RFC 3339", s[8].substr(0, 64)));
      }
    }
    std::string_view level = s[9];
    if (level.data() != nullptr && NormalizeLevel(level).empty()) {
      return Bad(reason::kInvalidValue, T, fmt::format("field 'level': '{}'", level.substr(0, 32)));
    }
    if (level.data() != nullptr) level = NormalizeLevel(level);
    if (s[10].data() != nullptr && !IsDevice(s[10])) {
      return Bad(reason::kInvalidValue, T, fmt::format("field 'device': '{}'", s[10].substr(0, 32)));
    }
    std::array<std::string_view, kUserKeys.size()> parts = s;
    parts[9] = level;
    ColumnBatch& b = out[T];
    b.AddRow();
    b.SetKey(ContentId(parts, c));
    b.SetText(kUserId, s[0]);
    PutText(b, kUserFirstName, s[1]);
    PutText(b, kUserLastName, s[2]);
    PutText(b, kUserGender, s[3]);
    PutText(b, kUserCountry, s[4]);
    PutText(b, kUserRegion, s[5]);
    PutText(b, kUserCity, s[6]);
    PutText(b, kUserTimezone, s[7]);
    PutInt(b, kUserRegistrationTs, registration);
    PutText(b, kUserLevel, level);
    PutText(b, kUserDevice, s[10]);
    PutText(b, kUserPlatform, s[11]);
    PutLineage(b, kUserSourceFormat, ctx, line);
    return std::nullopt;
  }
  // tracks
  constexpr Table T = Table::kTracks;
  std::array<std::string_view, kTrackKeys.size()> s{};
  if (auto r = Texts(v, kTrackKeys, c, T, s)) return r;
  if (s[0].data() == nullptr) return Missing("track_id", T);
  if (s[1].data() == nullptr) return Missing("name", T);
  std::optional<std::int64_t> duration, release;
  std::optional<bool> explicit_lyrics;
  if (auto r = AsInt(v[5], "duration_ms", duration, T)) return r;
  if (auto r = Date(s[6], "release_date", T, release)) return r;
  if (auto r = AsBool(v[7], "explicit", explicit_lyrics, T)) return r;
  std::array<std::optional<double>, 9> features;
  for (int k = 0; k < 9; ++k) {
    if (auto r = AsDouble(v[8 + k], kTrackKeys[8 + k], features[k], T)) return r;
    if (k < 7 && features[k] && (*features[k] < 0 || *features[k] > 1)) {
      return Bad(reason::kOutOfRange, T,
                 fmt::format("field '{}': {} is outside 0..1", kTrackKeys[8 + k], *features[k]));
    }
  }
  ColumnBatch& b = out[T];
  b.AddRow();
  b.SetKey(SpotifyId(s[0]));
  b.SetText(kTrackName, s[1]);
  PutText(b, kTrackArtistId, s[2]);
  PutText(b, kTrackAlbumId, s[3]);
  PutText(b, kTrackGenre, s[4]);
  PutInt(b, kTrackDurationMs, duration);
  PutInt(b, kTrackReleaseDate, release);
  if (release) b.SetInt(kTrackYear, (s[6][0] - '0') * 1000 + (s[6][1] - '0') * 100 +
                                        (s[6][2] - '0') * 10 + (s[6][3] - '0'));
  PutBool(b, kTrackExplicit, explicit_lyrics);
  for (int k = 0; k < 9; ++k) PutDouble(b, kTrackDanceability + k, features[k]);
  PutLineage(b, kTrackSourceFormat, ctx, line);
  return std::nullopt;
}

}  // namespace playlake::sources::internal
