#include "sim/catalog_files.h"

#include <fmt/format.h>

#include "common/atomic_file.h"
#include "sim/civil_time.h"
#include "sim/genres.h"
#include "sim/geo_data.h"
#include "sim/names.h"
#include "sim/sink.h"

namespace playlake::sim {

Status WriteCatalogFiles(const World& world, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return Fail(ErrorCode::kIo,
                fmt::format("--catalog-out: cannot create {}: {}", dir.string(), ec.message()));
  const auto& catalog = world.catalog();
  const auto genres = Genres();
  std::string text;

  for (const Artist& a : catalog.artists()) {
    text +=
        fmt::format("{{\"artist_id\":\"{}\",\"name\":{},\"genre\":\"{}\",\"country\":\"{}\"}}\n",
                    a.id, JsonString(a.name), genres[a.genre].name, a.country);
  }
  if (auto s = WriteFileAtomically(dir / "artists.jsonl", text); !s) return s;

  text.clear();
  for (const Album& al : catalog.albums()) {
    text += fmt::format(
        "{{\"album_id\":\"{}\",\"artist_id\":\"{}\",\"name\":{},\"release_date\":\"{}\",\"album_"
        "type\":\"{}\"}}\n",
        al.id, catalog.artists()[al.artist].id, JsonString(al.name), DateString(al.release_day),
        al.single ? "single" : "album");
  }
  if (auto s = WriteFileAtomically(dir / "albums.jsonl", text); !s) return s;

  text.clear();
  for (const Track& t : catalog.tracks()) {
    const float* f = t.features;
    text += fmt::format(
        "{{\"track_id\":\"{}\",\"name\":{},\"artist_id\":\"{}\",\"album_id\":\"{}\",\"genre\":\"{}"
        "\",\"duration_ms\":{},"
        "\"release_date\":\"{}\",\"explicit\":{},\"danceability\":{:.3f},\"energy\":{:.3f},"
        "\"valence\":{:.3f},"
        "\"acousticness\":{:.3f},\"instrumentalness\":{:.3f},\"speechiness\":{:.3f},\"liveness\":{:"
        ".3f},"
        "\"tempo\":{:.3f},\"loudness\":{:.3f}}}\n",
        t.id, JsonString(t.name), catalog.artists()[t.artist].id, catalog.albums()[t.album].id,
        genres[t.genre].name, t.duration_ms, DateString(t.release_day), t.explicit_lyrics,
        f[kDanceability], f[kEnergy], f[kValence], f[kAcousticness], f[kInstrumentalness],
        f[kSpeechiness], f[kLiveness], t.tempo, t.loudness);
  }
  if (auto s = WriteFileAtomically(dir / "tracks.jsonl", text); !s) return s;

  text.clear();
  const auto cities = Cities();
  const auto zones = TimeZones();
  const auto devices = DevicePlatforms();
  for (const User& u : world.population().users()) {
    const City& c = cities[u.city];
    text += fmt::format(
        "{{\"user_id\":\"{}\",\"first_name\":{},\"last_name\":{},\"gender\":\"{}\",\"country\":\"{}"
        "\",\"region\":{},"
        "\"city\":{},\"timezone\":\"{}\",\"registration_ts\":\"{}\",\"level\":\"{}\",\"device\":\"{"
        "}\","
        "\"platform\":\"{}\"}}\n",
        u.id, JsonString(u.first_name), JsonString(u.last_name), u.gender, c.country,
        JsonString(c.region), JsonString(c.name), zones[c.zone].name,
        TimestampString(u.registration_ms), u.initial_level == Level::kPaid ? "paid" : "free",
        devices[u.device].device, devices[u.device].platform);
  }
  return WriteFileAtomically(dir / "users.jsonl", text);
}

}  // namespace playlake::sim
