// The simulated music catalog: artists, albums and tracks with audio features.
//
// Catalog::Build is a pure function of (seed, options): the same seed always
// gives the same catalog. Popularity is heavy-tailed (artist popularity is
// Pareto distributed, tracks inherit it with log-normal noise) and new
// releases inside the simulated range get a rise-and-fade "hype" curve, which
// is what makes the top tracks move from week to week.
//
// Thread safety: immutable after Build; share freely between threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace playlake::sim {

struct CatalogOptions {
  uint64_t seed = 1;
  uint32_t tracks = 20000;  // REQUIRES: >= 100
  int64_t start_day = 0;    // first simulated day (days since epoch)
  int64_t end_day = 0;      // last simulated day, inclusive
};

struct Artist {
  std::string id;  // 22-character base62, Spotify-like
  std::string name;
  std::string country;
  uint8_t genre;
  double popularity;  // Pareto, >= 1
};

struct Album {
  std::string id;
  std::string name;
  uint32_t artist;
  int64_t release_day;
  bool single;
};

enum Feature : uint8_t {
  kDanceability,
  kEnergy,
  kValence,
  kAcousticness,
  kInstrumentalness,
  kSpeechiness,
  kLiveness,
  kFeatureCount
};

struct Track {
  std::string id;
  std::string name;
  uint32_t artist;
  uint32_t album;
  uint8_t genre;
  bool explicit_lyrics;
  uint32_t duration_ms;
  int64_t release_day;
  float features[kFeatureCount];  // each in [0, 1]
  float tempo;                    // BPM
  float loudness;                 // dB, <= 0
  double base_popularity;         // relative play weight before time effects
  double hype;                    // peak multiplier for new releases, 0 for catalog tracks
  double hype_days;               // days from release to the hype peak
};

class Catalog {
 public:
  static Catalog Build(const CatalogOptions& options);

  const std::vector<Artist>& artists() const { return artists_; }
  const std::vector<Album>& albums() const { return albums_; }
  const std::vector<Track>& tracks() const { return tracks_; }

  // Relative play weight of a track on `day`: base popularity times the
  // release curve (0 before release, a hype peak for new releases, a slow
  // decline with catalog age).
  static double PopularityOn(const Track& track, int64_t day);

 private:
  std::vector<Artist> artists_;
  std::vector<Album> albums_;
  std::vector<Track> tracks_;
};

// A 22-character base62 id made from two 64-bit words (like Spotify's ids).
std::string Base62Id(uint64_t a, uint64_t b);

}  // namespace playlake::sim
