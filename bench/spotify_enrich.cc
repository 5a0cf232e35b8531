// bench/spotify.sh's helper: the catalog enrichment of N distinct played
// tracks against the fake Spotify API with a latency per request and a rate
// limit, beside a naive client that asks for each track, its audio features,
// its artist and its album one request at a time.
//
//   spotify_enrich REALDATA_DIR WORK_DIR TRACKS LATENCY_MS RATE_PER_S NAIVE_TRACKS
//
// Prints one `key value` line per figure.
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "config/project.h"
#include "silver/ingest.h"
#include "spotify/api_client.h"
#include "spotify/fake_spotify_api.h"
#include "spotify/project_pull.h"
#include "spotify/pull.h"
#include "spotify/secrets.h"

namespace {

using namespace playlake;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// A well-formed Spotify id for play `n`.
std::string TrackId(int n) {
  static const char* kDigits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string id = "bench";
  std::uint64_t h = 0x9E3779B97F4A7C15ull * static_cast<std::uint64_t>(n + 1);
  while (id.size() < 22) {
    id += kDigits[h % 62];
    h = h / 62 + 0x632BE59BD9B4E019ull * (id.size() + n);
  }
  return id;
}

int Fail(const std::string& what) {
  std::cerr << "spotify_enrich: " << what << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    return Fail(
        "usage: spotify_enrich REALDATA_DIR WORK_DIR TRACKS LATENCY_MS RATE_PER_S NAIVE_TRACKS");
  }
  const std::filesystem::path realdata = argv[1], work = argv[2];
  const int tracks = std::atoi(argv[3]), latency_ms = std::atoi(argv[4]);
  const int rate = std::atoi(argv[5]), naive_tracks = std::atoi(argv[6]);
  std::filesystem::remove_all(work);
  std::filesystem::create_directories(work / "data");

  // A listener's export: one play of each of `tracks` distinct tracks.
  {
    nlohmann::json plays = nlohmann::json::array();
    for (int i = 0; i < tracks; ++i) {
      plays.push_back({{"ts", fmt::format("2023-{:02}-{:02}T{:02}:{:02}:00Z", 1 + i / 40000 % 12,
                                          1 + i / 1440 % 28, i / 60 % 24, i % 60)},
                       {"platform", "linux"},
                       {"ms_played", 180000},
                       {"conn_country", "SE"},
                       {"master_metadata_track_name", fmt::format("Track {}", i)},
                       {"master_metadata_album_artist_name", fmt::format("Artist {}", i % 40)},
                       {"master_metadata_album_album_name", fmt::format("Album {}", i % 60)},
                       {"spotify_track_uri", "spotify:track:" + TrackId(i)},
                       {"reason_start", "trackdone"},
                       {"reason_end", "trackdone"},
                       {"shuffle", false},
                       {"skipped", false},
                       {"offline", false}});
    }
    std::ofstream(work / "data" / "Streaming_History_Audio_2023.json") << plays.dump(1);
  }

  spotify::testing::FakeSpotifyApi fake(realdata / "spotify_api");
  fake.SetLatency(std::chrono::milliseconds(latency_ms));
  std::ofstream(work / "playlake.yml") << fmt::format(
      "name: bench\nsources:\n  - name: history\n    path: data\n    format: spotify-history\n"
      "    user: me\n  - name: me\n    spotify_api:\n      pulls: []\n      api_base: {}\n"
      "      accounts_base: {}\n      concurrency: 4\n",
      fake.api_base(), fake.accounts_base());
  if (auto s = spotify::SaveSpotifySecrets(
          work,
          {"user", spotify::testing::FakeSpotifyApi::kClientId, fake.IssueRefreshToken(), ""});
      !s) {
    return Fail(s.error().message);
  }
  auto project = config::LoadProject(work);
  if (!project) return Fail(project.error().message);
  auto lake = lake::Lake::OpenLocal(project->lake, {});
  if (!lake) return Fail(lake.error().message);
  silver::Progress progress;
  if (auto ingested = silver::IngestConfiguredSources(**lake, *project, progress);
      !ingested || ingested->AnyFailed()) {
    return Fail("the export was not ingested");
  }

  // Playlake: the source's enrichment, as `playlake run` pulls it.
  fake.SetRateLimit(rate);
  spotify::ClientOptions options;
  options.api_base = fake.api_base();
  options.accounts_base = fake.accounts_base();
  options.max_concurrency = 4;
  options.max_attempts = 20;  // a rate limit is waited out, not counted as a failure
  auto refresher = spotify::SavedLoginRefresher(project->root, options, "");
  if (!refresher) return Fail(refresher.error().message);
  const int before = fake.Requests();
  const int limited_before = fake.RateLimited();
  spotify::ApiClient client(options, "", *refresher);
  const auto start = Clock::now();
  const config::SourceConfig* source = nullptr;
  for (const auto& s : project->sources) {
    if (s.spotify_api) source = &s;
  }
  auto report = spotify::PullSpotifySource(**lake, *source, client);
  if (!report) return Fail(report.error().message);
  const double playlake_s = Seconds(start);
  const int playlake_requests = fake.Requests() - before;
  // The fewest requests: tracks 50, artists 50, albums 20, audio features 100 per request.
  const auto ceil_div = [](std::int64_t a, std::int64_t b) { return (a + b - 1) / b; };
  const std::int64_t artists = report->rows["spotify_artists"],
                     albums = report->rows["spotify_albums"];
  const std::int64_t minimum =
      ceil_div(tracks, 50) + ceil_div(artists, 50) + ceil_div(albums, 20) + ceil_div(tracks, 100);
  std::cout << "tracks " << tracks << "\nlatency_ms " << latency_ms << "\nrate_per_s " << rate
            << "\nplaylake_requests " << playlake_requests << "\nplaylake_429 "
            << fake.RateLimited() - limited_before << "\nminimum_requests " << minimum
            << "\nplaylake_seconds " << playlake_s << "\nrate_floor_seconds "
            << static_cast<double>(minimum) / rate << "\nsummary " << report->Summary() << "\n";

  // The naive client: each track, then its audio features, then each new
  // artist and album, one request at a time (waiting out 429s as asked).
  spotify::ClientOptions naive_options = options;
  naive_options.max_concurrency = 1;
  spotify::ApiClient naive(naive_options, "", *refresher);
  std::set<std::string> seen_artists, seen_albums;
  const int naive_before = fake.Requests();
  const auto naive_start = Clock::now();
  for (int i = 0; i < naive_tracks; ++i) {
    auto track = naive.GetJson("/tracks/" + TrackId(i));
    if (!track) return Fail(track.error().error.message);
    if (!naive.GetJson("/audio-features/" + TrackId(i))) return Fail("audio features");
    const std::string artist = (*track)["artists"][0]["id"], album = (*track)["album"]["id"];
    if (seen_artists.insert(artist).second && !naive.GetJson("/artists/" + artist)) {
      return Fail("artist");
    }
    if (seen_albums.insert(album).second && !naive.GetJson("/albums/" + album)) {
      return Fail("album");
    }
  }
  const double naive_s = Seconds(naive_start);
  const int naive_requests = fake.Requests() - naive_before;
  // Scaled to every track: two requests per track, one per artist and album
  // (the sample sees them all), at the sample's time per request.
  const auto naive_all =
      static_cast<std::int64_t>(2 * tracks + seen_artists.size() + seen_albums.size());
  std::cout << "naive_tracks " << naive_tracks << "\nnaive_requests " << naive_requests
            << "\nnaive_seconds " << naive_s << "\nnaive_requests_for_all " << naive_all
            << "\nnaive_seconds_for_all " << naive_s / naive_requests * naive_all << "\n";
  return 0;
}
