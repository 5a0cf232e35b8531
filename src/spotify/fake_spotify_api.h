// FakeSpotifyApi: a test-only Spotify Web API and accounts service on
// 127.0.0.1 (a free port), answering with the real captured responses in
// ../shared/realdata/spotify_api, and told by the test which faults to inject.
//
// API (under api_base(), every request needs a bearer token it issued):
//   GET /v1/playlists/{id}/items and /tracks: the items of the captured
//       "Top 50 - Global" playlist (37i9dQZEVXbMDoHDwVN2tF), paged by
//       offset/limit with `next` URLs pointing back at the fake;
//   GET /v1/me/player/recently-played?limit=&after=|before=: the plays added
//       with AddPlays (tracks of the Top 50, in its order), of which only the
//       last 50 are kept, as Spotify does; newest first, with cursors;
//   GET /v1/me/top/tracks, /v1/me/tracks (saved), /v1/me/top/artists,
//       /v1/me/playlists: the Top 50's tracks, the captured artists and the
//       Top 50 itself, paged by offset/limit like the playlist's items;
//   GET /v1/tracks/{id}, /v1/tracks?ids=, /v1/artists/{id}, /v1/artists?ids=,
//       /v1/albums/{id}, /v1/albums?ids=, /v1/audio-features/{id},
//       /v1/audio-features?ids=: the catalog of fake_catalog.h by id (404
//       alone, null in a batch, for an unknown id; 400 past a batch's limit).
// Accounts (under accounts_base()):
//   GET /authorize: checks client id, S256 challenge and a 127.0.0.1 redirect
//       (Spotify refuses localhost), then 302 to redirect_uri?code=..&state=..;
//   POST /api/token: authorization_code (verifier checked against the
//       challenge), refresh_token (invalid_grant once revoked) and
//       client_credentials (Basic auth).
// Thread safe; the server stops (releasing any hanging request) on destruction.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace playlake::spotify::testing {

class FakeSpotifyApi {
 public:
  static constexpr const char* kClientId = "fake-client-id";
  static constexpr const char* kClientSecret = "fake-client-secret";
  static constexpr const char* kPlaylistId = "37i9dQZEVXbMDoHDwVN2tF";

  // Serves the files of `realdata_dir` (realdata/spotify_api).
  explicit FakeSpotifyApi(const std::filesystem::path& realdata_dir);
  ~FakeSpotifyApi();
  FakeSpotifyApi(const FakeSpotifyApi&) = delete;
  FakeSpotifyApi& operator=(const FakeSpotifyApi&) = delete;

  std::string api_base() const;       // "http://127.0.0.1:PORT/v1"
  std::string accounts_base() const;  // "http://127.0.0.1:PORT"

  // A valid access token, as if issued by the token endpoint.
  std::string IssueAccessToken();
  // A refresh token valid until RevokeRefreshTokens.
  std::string IssueRefreshToken();

  // Faults. A path prefix such as "/v1/tracks" selects the API requests they hit.
  // The next `count` requests under `prefix` answer `status` (with
  // Retry-After: `retry_after` when not empty).
  void FailNext(const std::string& prefix, int status, int count = 1,
                const std::string& retry_after = "");
  // The next `count` requests under `prefix` never answer (until the fake is
  // destroyed or 30 s pass).
  void HangNext(const std::string& prefix, int count = 1);
  // After `requests` more API requests, every access token issued so far
  // expires (401) and only a refreshed one is accepted.
  void ExpireTokensAfter(int requests);
  // Requests under `prefix` always answer 403 (what a restricted app gets).
  void Forbid(const std::string& prefix);
  // Removes `field` from every object of every API answer (a deprecated field).
  void DropField(const std::string& field);
  void RevokeRefreshTokens();
  // An app with little (a development-mode app since February 2026, created
  // after November 2024): the batch endpoints (?ids=) and audio features
  // answer 403, and answers lack popularity, followers and available_markets.
  void SetLittleApp();
  // Spotify does not know this id (a removed track): null in a batch, 404 alone.
  void MarkUnknown(const std::string& id);
  // The listener plays `count` more tracks, one every `step_ms`, the first at
  // `first_ms` (ms since the epoch): the Top 50's tracks in order, from a
  // playlist context, an album context and none in turn.
  void AddPlays(int count, std::int64_t first_ms, std::int64_t step_ms);
  // The listener plays the track `track_id` (of the fake's catalog), stopping
  // at `played_at_ms` (the time Spotify reports), outside any context.
  void AddPlayOf(const std::string& track_id, std::int64_t played_at_ms);
  // Pages hold at most `items` items whatever the request's limit.
  void SetMaxPageSize(int items);
  // Every API answer is delayed by `latency` (a distant server).
  void SetLatency(std::chrono::milliseconds latency);
  // At most `per_second` API requests are answered in any rolling second; the
  // others get 429 with Retry-After: 1 (counted by RateLimited).
  void SetRateLimit(int per_second);
  int RateLimited() const;

  // API requests whose path starts with `prefix` ("" for all), and when each
  // arrived.
  int Requests(const std::string& prefix = "") const;
  std::vector<std::chrono::steady_clock::time_point> RequestTimes(const std::string& prefix) const;
  // Token endpoint calls by grant type ("refresh_token", ...).
  // The most API requests that were being answered at the same time.
  int MaxInFlight() const;
  int TokenRequests(const std::string& grant_type) const;
  // Every Authorization header, URL and form body the fake received, for
  // tests that check what the client sends.
  std::vector<std::string> Received() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace playlake::spotify::testing
