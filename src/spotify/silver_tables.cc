#include "spotify/silver_tables.h"

#include <map>

namespace playlake::spotify {
namespace {

const std::map<std::string, SilverTableSpec>& Tables() {
  static const auto* tables = new std::map<std::string, SilverTableSpec>{
      {"spotify_plays",
       {"spotify_plays",
        {{"played_at", "TIMESTAMPTZ"},
         {"track_id", "VARCHAR"},
         {"context_type", "VARCHAR"},
         {"context_uri", "VARCHAR"},
         {"user_id", "VARCHAR"},
         {"track_name", "VARCHAR"},
         {"artist_name", "VARCHAR"},
         {"album_name", "VARCHAR"},
         {"duration_ms", "BIGINT"},
         {kBatchIdColumn, "VARCHAR"}},
        // Not the user: the key of the files pulled before the column was added.
        {"played_at", "track_id"}}},
      {"spotify_top_tracks",
       {"spotify_top_tracks",
        {{"snapshot_date", "DATE"},
         {"time_range", "VARCHAR"},
         {"rank", "BIGINT"},
         {"track_id", "VARCHAR"}},
        {"snapshot_date", "time_range", "rank"}}},
      {"spotify_top_artists",
       {"spotify_top_artists",
        {{"snapshot_date", "DATE"},
         {"time_range", "VARCHAR"},
         {"rank", "BIGINT"},
         {"artist_id", "VARCHAR"}},
        {"snapshot_date", "time_range", "rank"}}},
      {"spotify_saved_tracks",
       {"spotify_saved_tracks",
        {{"added_at", "TIMESTAMPTZ"}, {"track_id", "VARCHAR"}},
        {"track_id", "added_at"}}},
      {"spotify_playlists",
       {"spotify_playlists",
        {{"playlist_id", "VARCHAR"},
         {"snapshot_id", "VARCHAR"},
         {"name", "VARCHAR"},
         {"owner_id", "VARCHAR"},
         {"public", "BOOLEAN"},
         {"collaborative", "BOOLEAN"},
         {"items_total", "BIGINT"}},
        {"playlist_id", "snapshot_id"}}},
      {"spotify_playlist_items",
       {"spotify_playlist_items",
        {{"playlist_id", "VARCHAR"},
         {"snapshot_id", "VARCHAR"},
         {"position", "BIGINT"},
         {"added_at", "TIMESTAMPTZ"},
         {"track_id", "VARCHAR"}},
        {"playlist_id", "snapshot_id", "position"}}},
      {"spotify_tracks",
       {"spotify_tracks",
        {{"track_id", "VARCHAR"},
         {"fetched_at", "TIMESTAMPTZ"},
         {"name", "VARCHAR"},
         {"artist_id", "VARCHAR"},
         {"artist_name", "VARCHAR"},
         {"album_id", "VARCHAR"},
         {"duration_ms", "BIGINT"},
         {"explicit", "BOOLEAN"},
         {"popularity", "BIGINT"}},
        {"track_id", "fetched_at"},
        true}},
      {"spotify_artists",
       {"spotify_artists",
        {{"artist_id", "VARCHAR"},
         {"fetched_at", "TIMESTAMPTZ"},
         {"name", "VARCHAR"},
         {"genres", "VARCHAR[]"},
         {"popularity", "BIGINT"},
         {"followers", "BIGINT"}},
        {"artist_id", "fetched_at"},
        true}},
      {"spotify_albums",
       {"spotify_albums",
        {{"album_id", "VARCHAR"},
         {"fetched_at", "TIMESTAMPTZ"},
         {"name", "VARCHAR"},
         {"album_type", "VARCHAR"},
         {"artist_id", "VARCHAR"},
         {"release_date", "DATE"},
         {"release_date_precision", "VARCHAR"},
         {"label", "VARCHAR"},
         {"popularity", "BIGINT"}},
        {"album_id", "fetched_at"},
        true}},
      {"spotify_audio_features",
       {"spotify_audio_features",
        {{"track_id", "VARCHAR"},
         {"fetched_at", "TIMESTAMPTZ"},
         {"danceability", "DOUBLE"},
         {"energy", "DOUBLE"},
         {"valence", "DOUBLE"},
         {"tempo", "DOUBLE"},
         {"acousticness", "DOUBLE"},
         {"instrumentalness", "DOUBLE"},
         {"speechiness", "DOUBLE"},
         {"liveness", "DOUBLE"},
         {"loudness", "DOUBLE"},
         {"key", "BIGINT"},
         {"mode", "BIGINT"},
         {"time_signature", "BIGINT"}},
        {"track_id", "fetched_at"},
        true}},
      {"spotify_app_access",
       {"spotify_app_access",
        {{"endpoint", "VARCHAR"},
         {"checked_at", "TIMESTAMPTZ"},
         {"allowed", "BOOLEAN"},
         {"http_status", "BIGINT"}},
        {"endpoint", "checked_at"}}},
  };
  return *tables;
}

}  // namespace

const SilverTableSpec* FindSilverTable(const std::string& name) {
  const auto found = Tables().find(name);
  return found == Tables().end() ? nullptr : &found->second;
}

std::vector<const SilverTableSpec*> AllSilverTables() {
  std::vector<const SilverTableSpec*> all;
  for (const auto& [name, spec] : Tables()) all.push_back(&spec);
  return all;
}

}  // namespace playlake::spotify
