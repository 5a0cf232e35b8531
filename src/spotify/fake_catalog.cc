#include "spotify/fake_catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>

namespace playlake::spotify::testing {
namespace {

using nlohmann::json;

json ReadJson(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return json::parse(in);
}

bool WellFormedId(const std::string& id) {
  if (id.size() != 22) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// A stable number from `text` (FNV-1a), for values derived from an id.
std::uint64_t Stable(const std::string& text) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return h;
}

// A well-formed id derived from `seed`.
std::string DerivedId(const std::string& seed) {
  static const char* kDigits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string id;
  std::uint64_t h = Stable(seed);
  for (int i = 0; i < 22; ++i) {
    if (i % 10 == 0) h = Stable(seed + std::to_string(i));
    id += kDigits[h % 62];
    h /= 62;
  }
  return id;
}

void SetIdentity(json& object, const std::string& kind, const std::string& id) {
  const std::string type = kind == "audio-features" ? "track" : kind.substr(0, kind.size() - 1);
  object["id"] = id;
  object["uri"] = fmt::format("spotify:{}:{}", type, id);
  if (object.contains("href"))
    object["href"] = fmt::format("https://api.spotify.com/v1/{}/{}", kind, id);
  if (object.contains("external_urls")) {
    object["external_urls"] = {
        {"spotify", fmt::format("https://open.spotify.com/{}/{}", type, id)}};
  }
}

}  // namespace

FakeCatalog::FakeCatalog(const std::filesystem::path& dir) {
  const auto add = [&](const std::string& kind, const json& object) {
    if (object.is_object() && object.contains("id")) captured_[kind][object["id"]] = object;
  };
  templates_["tracks"] = ReadJson(dir / "swaj_GetTrackRequest.json");
  templates_["artists"] = ReadJson(dir / "swaj_GetArtistRequest.json");
  templates_["albums"] = ReadJson(dir / "swaj_GetAlbumRequest.json");
  templates_["audio-features"] = ReadJson(dir / "swaj_GetAudioFeaturesForTrackRequest.json");
  for (const auto& [kind, object] : templates_) add(kind, object);
  // (Each file is held in a variable: a range-for over a member of a
  // temporary would read freed memory.)
  const std::pair<const char*, const char*> several[] = {
      {"swaj_GetSeveralTracksRequest.json", "tracks"},
      {"swaj_GetSeveralArtistsRequest.json", "artists"},
      {"swaj_GetSeveralAlbumsRequest.json", "albums"},
      {"swaj_GetAudioFeaturesForSeveralTracksRequest.json", "audio_features"}};
  for (const auto& [file, key] : several) {
    const json answer = ReadJson(dir / file);
    std::string kind = key;
    std::replace(kind.begin(), kind.end(), '_', '-');
    for (const json& object : answer.at(key)) add(kind, object);
  }
  const json playlist =
      ReadJson(dir / "playlist_37i9dQZEVXbMDoHDwVN2tF_top50_global_2024-05.json").at(0);
  for (const json& item : playlist["tracks"]["items"]) {
    const json& track = item["track"];
    add("tracks", track);
    album_dates_[track["album"]["id"]] = track["album"]["release_date"];
  }
}

std::size_t FakeCatalog::BatchLimit(const std::string& kind) {
  if (kind == "albums") return 20;
  if (kind == "audio-features") return 100;
  return 50;
}

std::optional<json> FakeCatalog::Find(const std::string& kind, const std::string& id) const {
  if (unknown_.contains(id) || !templates_.contains(kind)) return std::nullopt;
  const auto by_kind = captured_.find(kind);
  if (by_kind != captured_.end()) {
    const auto found = by_kind->second.find(id);
    if (found != by_kind->second.end()) return found->second;
  }
  if (!WellFormedId(id)) return std::nullopt;
  return Synthesized(kind, id);
}

json FakeCatalog::Synthesized(const std::string& kind, const std::string& id) const {
  json object = templates_.at(kind);
  SetIdentity(object, kind, id);
  const std::uint64_t h = Stable(id);
  if (kind == "tracks") {
    object["name"] = "Track " + id.substr(0, 6);
    const std::string artist = DerivedId(fmt::format("artist{}", h % 40));
    json simple_artist = object["artists"].at(0);
    SetIdentity(simple_artist, "artists", artist);
    simple_artist["name"] = "Artist " + artist.substr(0, 6);
    object["artists"] = json::array({simple_artist});
    SetIdentity(object["album"], "albums", DerivedId(fmt::format("album{}", h % 60)));
    object["album"]["artists"] = json::array({simple_artist});
    object["popularity"] = h % 100;
    object["duration_ms"] = 120000 + h % 180000;
  } else if (kind == "artists") {
    // The captured artists' genres: one or two of them, by the id.
    static const char* kGenres[] = {"art rock",  "glam rock",  "permanent wave",
                                    "protopunk", "indie folk", "indie pop"};
    object["name"] = "Artist " + id.substr(0, 6);
    object["genres"] = json::array({kGenres[h % 6]});
    if (h % 3 == 0) object["genres"].push_back(kGenres[(h / 6) % 6]);
    object["popularity"] = h % 100;
    object["followers"]["total"] = h % 1000000;
  } else if (kind == "albums") {
    object["name"] = "Album " + id.substr(0, 6);
    const auto date = album_dates_.find(id);
    object["release_date"] =
        date != album_dates_.end() ? date->second : std::to_string(1960 + h % 65);
    object["release_date_precision"] =
        std::string(object["release_date"]).size() == 4 ? "year" : "day";
    object["tracks"]["items"] = json::array();
    object["tracks"]["total"] = 0;
  } else {
    const auto unit = [&](int salt) {
      return static_cast<double>(Stable(id + char('a' + salt)) % 1000) / 1000;
    };
    for (const char* feature : {"danceability", "energy", "valence", "acousticness",
                                "instrumentalness", "speechiness", "liveness"}) {
      object[feature] = unit(feature[0] - 'a');
    }
    object["tempo"] = 60 + unit(20) * 120;
    object["loudness"] = -30 + unit(21) * 30;
    object["track_href"] = fmt::format("https://api.spotify.com/v1/tracks/{}", id);
    object["analysis_url"] = fmt::format("https://api.spotify.com/v1/audio-analysis/{}", id);
  }
  return object;
}

}  // namespace playlake::spotify::testing
