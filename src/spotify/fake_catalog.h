// FakeCatalog (test only): the Spotify catalog the fake API answers lookups
// from (/tracks, /artists, /albums, /audio-features, by id).
//
// The captured objects of ../shared/realdata/spotify_api (the Top 50's
// tracks, the single and several tracks, artists, albums and audio features)
// answer as captured. Any other well-formed id (22 base-62 characters, such
// as the track ids of a real streaming-history export) gets an object of the
// captured shape with its own id: a track names one of 40 artists and 60
// albums derived from its id, an artist has one or two of the captured
// artists' genres, an album a release date, audio features values in their
// documented ranges, all derived from the id, so every run answers the same.
// Ids marked unknown get nothing (the API's null in a batch, 404 alone).
//
// Thread safety: const methods may be called concurrently; MarkUnknown not.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

namespace playlake::spotify::testing {

class FakeCatalog {
 public:
  explicit FakeCatalog(const std::filesystem::path& realdata_dir);

  // The full object of `kind` ("tracks", "artists", "albums",
  // "audio-features") with `id`; nullopt: Spotify does not know it.
  std::optional<nlohmann::json> Find(const std::string& kind, const std::string& id) const;

  // The most ids one batch request of `kind` may name (50, 50, 20, 100).
  static std::size_t BatchLimit(const std::string& kind);

  void MarkUnknown(const std::string& id) { unknown_.insert(id); }

 private:
  nlohmann::json Synthesized(const std::string& kind, const std::string& id) const;

  std::map<std::string, std::map<std::string, nlohmann::json>> captured_;  // kind → id → object
  std::map<std::string, nlohmann::json> templates_;  // kind → a captured object
  std::map<std::string, std::string> album_dates_;  // album id → release_date (simplified albums)
  std::set<std::string> unknown_;
};

}  // namespace playlake::spotify::testing
