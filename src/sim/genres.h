// The genres the simulator knows and how each one sounds.
//
// Each genre has its own audio-feature profile (means and spreads), typical
// duration and tempo, an explicit-lyrics rate and a global market share.
// Tracks draw their features around their genre's profile, which is what
// makes "audio features by genre" analytics show real differences.
#pragma once

#include <span>

namespace playlake::sim {

struct GenreProfile {
  const char* name;
  double market_share;  // relative share of artists and of listeners' tastes
  // Means of the 0-1 features; spreads are in feature_sd.
  double danceability, energy, valence, acousticness, instrumentalness, speechiness, liveness;
  double feature_sd;
  double tempo_mean, tempo_sd;  // BPM
  double loudness_mean;         // dB (negative)
  double duration_mean_s, duration_sd_s;
  double explicit_rate;
};

std::span<const GenreProfile> Genres();

}  // namespace playlake::sim
