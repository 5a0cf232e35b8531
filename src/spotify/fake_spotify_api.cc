#include "spotify/fake_spotify_api.h"

#include <fmt/format.h>
#include <httplib.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/rfc3339.h"
#include "spotify/fake_catalog.h"
#include "spotify/oauth.h"

namespace playlake::spotify::testing {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void EraseField(json& value, const std::string& field) {
  if (value.is_object()) {
    value.erase(field);
    for (auto& [key, child] : value.items()) EraseField(child, field);
  } else if (value.is_array()) {
    for (auto& child : value) EraseField(child, field);
  }
}

struct Fault {
  std::string prefix;
  int status;  // 0: hang
  int count;
  std::string retry_after;
};

struct AuthorizeGrant {
  std::string challenge;
  std::string redirect_uri;
};

}  // namespace

struct FakeSpotifyApi::State {
  explicit State(const std::filesystem::path& realdata_dir) : catalog(realdata_dir) {}

  httplib::Server server;
  std::thread thread;
  int port = 0;
  std::map<std::string, std::string> files;  // "token" → the captured token answer
  FakeCatalog catalog;                       // what lookups by id answer
  bool little_app = false;                   // batch endpoints and audio features refused
  json playlist_items;                       // the Top 50's items
  json playlist;                             // the Top 50 as /me/playlists lists it
  json top_artists;                          // the captured several artists
  int max_page = 1000;                       // the most items a page holds
  std::vector<json> plays;                   // the listener's last 50 plays, oldest first
  int plays_added = 0;

  mutable std::mutex mutex;
  std::condition_variable released;
  bool stopping = false;
  std::vector<Fault> faults;
  std::set<std::string> forbidden;
  std::set<std::string> dropped_fields;
  std::set<std::string> access_tokens;
  std::set<std::string> refresh_tokens;
  std::map<std::string, AuthorizeGrant> codes;
  int expire_after = -1;  // API requests until the issued tokens expire; -1: never
  int issued = 0;
  std::chrono::milliseconds latency{0};
  int rate_limit = 0;                    // answers per rolling second; 0: none
  std::deque<Clock::time_point> recent;  // answers within the last second
  int rate_limited = 0;                  // 429s the rate limit gave
  int in_flight = 0;
  int max_in_flight = 0;
  std::vector<std::pair<std::string, Clock::time_point>> requests;
  std::map<std::string, int> token_requests;
  std::vector<std::string> received;

  std::string NewToken(const char* kind) {
    return fmt::format("fake-{}-{}-{}", kind, ++issued, RandomToken());
  }

  // Returns the fault for `path`, consuming one of its count; nullopt: none.
  std::optional<Fault> TakeFault(const std::string& path) {
    for (auto it = faults.begin(); it != faults.end(); ++it) {
      if (!path.starts_with(it->prefix)) continue;
      Fault fault = *it;
      if (--it->count == 0) faults.erase(it);
      return fault;
    }
    return std::nullopt;
  }

  void Reply(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(body.dump(), "application/json");
  }

  void ApiError(httplib::Response& res, int status, const std::string& message) {
    Reply(res, status, json{{"error", {{"status", status}, {"message", message}}}});
  }

  std::string Base() const { return fmt::format("http://127.0.0.1:{}/v1", port); }

  // A paging object of `all` at `path`, by the request's offset and limit
  // (capped at max_page), with `next` and `previous` URLs back at the fake.
  json Page(const httplib::Request& req, const std::string& path, const json& all) {
    const int total = static_cast<int>(all.size());
    const int offset = req.has_param("offset") ? std::stoi(req.get_param_value("offset")) : 0;
    int limit = req.has_param("limit") ? std::stoi(req.get_param_value("limit")) : 20;
    limit = std::min(limit, max_page);
    json items = json::array();
    for (int i = offset; i < std::min(total, offset + limit); ++i) items.push_back(all[i]);
    const std::string range =
        req.has_param("time_range") ? "&time_range=" + req.get_param_value("time_range") : "";
    const auto page_url = [&](int at) {
      return fmt::format("{}?offset={}&limit={}{}", path, at, limit, range);
    };
    return json{
        {"href", page_url(offset)},
        {"items", items},
        {"limit", limit},
        {"next", offset + limit < total ? json(page_url(offset + limit)) : json(nullptr)},
        {"offset", offset},
        {"previous", offset > 0 ? json(page_url(std::max(0, offset - limit))) : json(nullptr)},
        {"total", total}};
  }

  // The listener's library: the Top 50's tracks as top tracks and saved
  // tracks, the captured artists as top artists, the Top 50 as the one
  // playlist. nullopt: not a library path.
  std::optional<json> Library(const httplib::Request& req) {
    const std::string path = Base() + req.path.substr(3);
    if (req.path == "/v1/me/top/tracks" || req.path == "/v1/me/tracks") {
      json tracks = json::array();
      for (const json& item : playlist_items) {
        tracks.push_back(req.path == "/v1/me/tracks"
                             ? json{{"added_at", item["added_at"]}, {"track", item["track"]}}
                             : item["track"]);
      }
      return Page(req, path, tracks);
    }
    if (req.path == "/v1/me/top/artists") return Page(req, path, top_artists);
    if (req.path == "/v1/me/playlists") return Page(req, path, json::array({playlist}));
    return std::nullopt;
  }

  // A CursorPagingPlayHistoryObject of the kept plays after `after` or
  // before `before` (ms), newest first.
  json RecentlyPlayed(const httplib::Request& req) {
    const auto param = [&](const char* name, std::int64_t fallback) {
      return req.has_param(name) ? std::stoll(req.get_param_value(name)) : fallback;
    };
    const std::int64_t after = param("after", -1), before = param("before", -1);
    const int limit = static_cast<int>(param("limit", 20));
    json items = json::array();
    std::vector<const json*> chosen;
    for (auto it = plays.rbegin(); it != plays.rend(); ++it) {
      const std::int64_t at = (*it)["_ms"];
      if ((after >= 0 && at <= after) || (before >= 0 && at >= before)) continue;
      chosen.push_back(&*it);
    }
    // With `after`, the plays right after the cursor; otherwise the newest.
    if (after >= 0 && static_cast<int>(chosen.size()) > limit) {
      chosen.erase(chosen.begin(), chosen.end() - limit);
    } else if (static_cast<int>(chosen.size()) > limit) {
      chosen.resize(limit);
    }
    for (const json* play : chosen) {
      json item = *play;
      item.erase("_ms");
      items.push_back(std::move(item));
    }
    const std::string path = Base() + "/me/player/recently-played";
    json cursors = nullptr;
    json next = nullptr;
    if (!chosen.empty()) {
      const std::int64_t newest = (*chosen.front())["_ms"], oldest = (*chosen.back())["_ms"];
      cursors = json{{"after", std::to_string(newest)}, {"before", std::to_string(oldest)}};
      next = fmt::format("{}?before={}&limit={}", path, oldest, limit);
    }
    return json{{"items", items},
                {"next", next},
                {"cursors", cursors},
                {"limit", limit},
                {"href", fmt::format("{}?limit={}", path, limit)}};
  }

  void HandleApi(const httplib::Request& req, httplib::Response& res) {
    std::unique_lock lock(mutex);
    max_in_flight = std::max(max_in_flight, ++in_flight);
    if (latency.count() > 0) {
      released.wait_for(lock, latency, [&] { return stopping; });
    }
    Answer(req, res, lock);
    --in_flight;
  }

  void Answer(const httplib::Request& req, httplib::Response& res,
              std::unique_lock<std::mutex>& lock) {
    requests.emplace_back(req.path, Clock::now());
    received.push_back(req.get_header_value("Authorization") + " " + req.path);
    if (expire_after == 0) {
      access_tokens.clear();
      expire_after = -1;
    } else if (expire_after > 0) {
      --expire_after;
    }
    if (rate_limit > 0) {
      // Spotify's rate limit over a rolling window (here one second).
      const auto now = Clock::now();
      while (!recent.empty() && now - recent.front() >= std::chrono::seconds(1)) recent.pop_front();
      if (static_cast<int>(recent.size()) >= rate_limit) {
        ++rate_limited;
        res.set_header("Retry-After", "1");
        return ApiError(res, 429, "API rate limit exceeded");
      }
      recent.push_back(now);
    }
    if (std::optional<Fault> fault = TakeFault(req.path)) {
      if (fault->status == 0) {
        released.wait_for(lock, std::chrono::seconds(30), [&] { return stopping; });
        return ApiError(res, 503, "hung");
      }
      if (!fault->retry_after.empty()) res.set_header("Retry-After", fault->retry_after);
      return ApiError(res, fault->status, "injected fault");
    }
    const std::string auth = req.get_header_value("Authorization");
    if (!auth.starts_with("Bearer ") || !access_tokens.contains(auth.substr(7))) {
      return ApiError(res, 401, "The access token expired");
    }
    for (const std::string& prefix : forbidden) {
      if (req.path.starts_with(prefix)) return ApiError(res, 403, "Forbidden");
    }
    json body;
    std::smatch match;
    static const std::regex kPlaylist("/v1/playlists/([^/]+)/(items|tracks)");
    static const std::regex kCatalog("/v1/(tracks|artists|albums|audio-features)(/[^/]+)?");
    if (req.path == "/v1/me/player/recently-played") {
      body = RecentlyPlayed(req);
    } else if (std::optional<json> library = Library(req)) {
      body = std::move(*library);
    } else if (std::regex_match(req.path, match, kPlaylist)) {
      if (match[1] != kPlaylistId) return ApiError(res, 404, "Resource not found");
      body = Page(req, fmt::format("{}/playlists/{}/{}", Base(), match[1].str(), match[2].str()),
                  playlist_items);
    } else if (std::regex_match(req.path, match, kCatalog)) {
      const std::string kind = match[1];
      if (little_app && (req.has_param("ids") || kind == "audio-features")) {
        return ApiError(res, 403, "Forbidden");
      }
      if (match[2].matched) {
        std::optional<json> object = catalog.Find(kind, match[2].str().substr(1));
        if (!object) return ApiError(res, 404, "Resource not found");
        body = std::move(*object);
      } else {
        // Several: the objects in the order asked, null for an unknown id.
        std::vector<std::string> ids;
        std::stringstream list(req.get_param_value("ids"));
        for (std::string id; std::getline(list, id, ',');) ids.push_back(id);
        if (ids.empty()) return ApiError(res, 400, "No ids");
        if (ids.size() > FakeCatalog::BatchLimit(kind)) {
          return ApiError(res, 400, "Too many ids requested");
        }
        json objects = json::array();
        for (const std::string& id : ids) {
          objects.push_back(catalog.Find(kind, id).value_or(json()));
        }
        std::string key = kind;
        std::replace(key.begin(), key.end(), '-', '_');
        body = json{{key, objects}};
      }
    } else {
      return ApiError(res, 404, "Service not found");
    }
    for (const std::string& field : dropped_fields) EraseField(body, field);
    Reply(res, 200, body);
  }

  void HandleAuthorize(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    received.push_back(req.path + "?" + req.get_param_value("redirect_uri"));
    const std::string redirect = req.get_param_value("redirect_uri");
    if (req.get_param_value("client_id") != kClientId) {
      return Reply(res, 400, json{{"error", "INVALID_CLIENT: Invalid client"}});
    }
    if (!redirect.starts_with("http://127.0.0.1:")) {
      return Reply(res, 400, json{{"error", "INVALID_CLIENT: Insecure redirect URI"}});
    }
    if (req.get_param_value("response_type") != "code" ||
        req.get_param_value("code_challenge_method") != "S256" ||
        req.get_param_value("code_challenge").empty()) {
      return Reply(res, 400, json{{"error", "invalid_request"}});
    }
    const std::string code = NewToken("code");
    codes[code] = AuthorizeGrant{req.get_param_value("code_challenge"), redirect};
    res.status = 302;
    res.set_header("Location", fmt::format("{}?code={}&state={}", redirect, code,
                                           req.get_param_value("state")));
  }

  void HandleToken(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    received.push_back(req.get_header_value("Authorization") + " " + req.body);
    const std::string grant = req.get_param_value("grant_type");
    ++token_requests[grant];
    const auto invalid_grant = [&](const char* why) {
      Reply(res, 400, json{{"error", "invalid_grant"}, {"error_description", why}});
    };
    if (grant == "authorization_code") {
      const auto found = codes.find(req.get_param_value("code"));
      if (found == codes.end()) return invalid_grant("Invalid authorization code");
      const AuthorizeGrant granted = found->second;
      codes.erase(found);
      if (granted.redirect_uri != req.get_param_value("redirect_uri")) {
        return invalid_grant("Invalid redirect URI");
      }
      if (S256Challenge(req.get_param_value("code_verifier")) != granted.challenge) {
        return invalid_grant("code_verifier was incorrect");
      }
      const std::string access = NewToken("access");
      const std::string refresh = NewToken("refresh");
      access_tokens.insert(access);
      refresh_tokens.insert(refresh);
      return Reply(res, 200,
                   json{{"access_token", access},
                        {"token_type", "Bearer"},
                        {"scope", "user-read-recently-played"},
                        {"expires_in", 3600},
                        {"refresh_token", refresh}});
    }
    if (grant == "refresh_token") {
      if (!refresh_tokens.contains(req.get_param_value("refresh_token"))) {
        return invalid_grant("Refresh token revoked");
      }
      const std::string access = NewToken("access");
      access_tokens.insert(access);
      return Reply(res, 200,
                   json{{"access_token", access},
                        {"token_type", "Bearer"},
                        {"scope", "user-read-recently-played"},
                        {"expires_in", 3600}});
    }
    if (grant == "client_credentials") {
      const std::string expected =
          "Basic " + Base64(std::string(kClientId) + ":" + kClientSecret, false);
      if (req.get_header_value("Authorization") != expected) {
        return Reply(
            res, 400,
            json{{"error", "invalid_client"}, {"error_description", "Invalid client secret"}});
      }
      // The captured answer's shape, with a token of ours.
      json body = json::parse(files.at("token"));
      body["access_token"] = NewToken("access");
      access_tokens.insert(body["access_token"].get<std::string>());
      return Reply(res, 200, body);
    }
    Reply(res, 400, json{{"error", "unsupported_grant_type"}});
  }
};

FakeSpotifyApi::FakeSpotifyApi(const std::filesystem::path& realdata_dir)
    : state_(std::make_unique<State>(realdata_dir)) {
  const auto file = [&](const char* name) { return ReadAll(realdata_dir / name); };
  state_->files = {{"token", file("swaj_ClientCredentials.json")}};
  // The capture is a JSON array wrapping the playlist object.
  const json playlist =
      json::parse(file("playlist_37i9dQZEVXbMDoHDwVN2tF_top50_global_2024-05.json"));
  state_->playlist_items = playlist.at(0).at("tracks").at("items");
  state_->playlist = playlist.at(0);
  state_->playlist["tracks"] =
      json{{"href", state_->playlist["tracks"]["href"]}, {"total", state_->playlist_items.size()}};
  state_->top_artists = json::parse(file("swaj_GetSeveralArtistsRequest.json")).at("artists");

  State* state = state_.get();
  state->server.Get("/v1/.*", [state](const httplib::Request& req, httplib::Response& res) {
    state->HandleApi(req, res);
  });
  state->server.Get("/authorize", [state](const httplib::Request& req, httplib::Response& res) {
    state->HandleAuthorize(req, res);
  });
  state->server.Post("/api/token", [state](const httplib::Request& req, httplib::Response& res) {
    state->HandleToken(req, res);
  });
  state->port = state->server.bind_to_any_port("127.0.0.1");
  state->thread = std::thread([state] { state->server.listen_after_bind(); });
  // stop() is a no-op until the accept loop runs: wait for it.
  while (!state->server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeSpotifyApi::~FakeSpotifyApi() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
  }
  state_->released.notify_all();
  state_->server.stop();
  state_->thread.join();
}

std::string FakeSpotifyApi::api_base() const { return state_->Base(); }

std::string FakeSpotifyApi::accounts_base() const {
  return fmt::format("http://127.0.0.1:{}", state_->port);
}

std::string FakeSpotifyApi::IssueAccessToken() {
  std::lock_guard lock(state_->mutex);
  std::string token = state_->NewToken("access");
  state_->access_tokens.insert(token);
  return token;
}

std::string FakeSpotifyApi::IssueRefreshToken() {
  std::lock_guard lock(state_->mutex);
  std::string token = state_->NewToken("refresh");
  state_->refresh_tokens.insert(token);
  return token;
}

void FakeSpotifyApi::FailNext(const std::string& prefix, int status, int count,
                              const std::string& retry_after) {
  std::lock_guard lock(state_->mutex);
  state_->faults.push_back(Fault{prefix, status, count, retry_after});
}

void FakeSpotifyApi::HangNext(const std::string& prefix, int count) { FailNext(prefix, 0, count); }

void FakeSpotifyApi::ExpireTokensAfter(int requests) {
  std::lock_guard lock(state_->mutex);
  state_->expire_after = requests;
}

void FakeSpotifyApi::Forbid(const std::string& prefix) {
  std::lock_guard lock(state_->mutex);
  state_->forbidden.insert(prefix);
}

void FakeSpotifyApi::DropField(const std::string& field) {
  std::lock_guard lock(state_->mutex);
  state_->dropped_fields.insert(field);
}

namespace {

// Spotify's form, "2024-05-15T08:00:00.000Z": milliseconds, always three digits.
std::string PlayedAt(std::int64_t ms) {
  std::string played_at =
      FormatRfc3339(std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(ms)),
                    SubSeconds::kMicros);
  played_at.erase(played_at.size() - 4, 3);
  return played_at;
}

// Spotify keeps only a listener's last 50 plays.
void KeepLast50(std::vector<json>& plays) {
  if (plays.size() > 50) plays.erase(plays.begin(), plays.end() - 50);
}

}  // namespace

void FakeSpotifyApi::AddPlayOf(const std::string& track_id, std::int64_t played_at_ms) {
  std::lock_guard lock(state_->mutex);
  const auto track = state_->catalog.Find("tracks", track_id);
  if (!track) throw std::invalid_argument("the fake catalog has no track " + track_id);
  state_->plays.push_back(json{{"track", *track},
                               {"played_at", PlayedAt(played_at_ms)},
                               {"context", nullptr},
                               {"_ms", played_at_ms}});
  KeepLast50(state_->plays);
}

void FakeSpotifyApi::AddPlays(int count, std::int64_t first_ms, std::int64_t step_ms) {
  std::lock_guard lock(state_->mutex);
  for (int i = 0; i < count; ++i) {
    const std::int64_t ms = first_ms + i * step_ms;
    const int n = state_->plays_added++;
    const json& track = state_->playlist_items[n % state_->playlist_items.size()]["track"];
    json context = nullptr;
    if (n % 3 == 0) {
      context =
          json{{"type", "playlist"},
               {"uri", fmt::format("spotify:playlist:{}", kPlaylistId)},
               {"href", fmt::format("{}/playlists/{}", state_->Base(), kPlaylistId)},
               {"external_urls",
                {{"spotify", fmt::format("https://open.spotify.com/playlist/{}", kPlaylistId)}}}};
    } else if (n % 3 == 1) {
      context = json{{"type", "album"},
                     {"uri", track["album"]["uri"]},
                     {"href", track["album"]["href"]},
                     {"external_urls", track["album"]["external_urls"]}};
    }
    state_->plays.push_back(
        json{{"track", track}, {"played_at", PlayedAt(ms)}, {"context", context}, {"_ms", ms}});
  }
  KeepLast50(state_->plays);
}

void FakeSpotifyApi::SetLittleApp() {
  std::lock_guard lock(state_->mutex);
  state_->little_app = true;
  for (const char* field : {"popularity", "followers", "available_markets"}) {
    state_->dropped_fields.insert(field);
  }
}

void FakeSpotifyApi::MarkUnknown(const std::string& id) {
  std::lock_guard lock(state_->mutex);
  state_->catalog.MarkUnknown(id);
}

void FakeSpotifyApi::SetMaxPageSize(int items) {
  std::lock_guard lock(state_->mutex);
  state_->max_page = items;
}

void FakeSpotifyApi::SetLatency(std::chrono::milliseconds latency) {
  std::lock_guard lock(state_->mutex);
  state_->latency = latency;
}

void FakeSpotifyApi::SetRateLimit(int per_second) {
  std::lock_guard lock(state_->mutex);
  state_->rate_limit = per_second;
}

int FakeSpotifyApi::RateLimited() const {
  std::lock_guard lock(state_->mutex);
  return state_->rate_limited;
}

int FakeSpotifyApi::MaxInFlight() const {
  std::lock_guard lock(state_->mutex);
  return state_->max_in_flight;
}

void FakeSpotifyApi::RevokeRefreshTokens() {
  std::lock_guard lock(state_->mutex);
  state_->refresh_tokens.clear();
}

int FakeSpotifyApi::Requests(const std::string& prefix) const {
  return static_cast<int>(RequestTimes(prefix).size());
}

std::vector<Clock::time_point> FakeSpotifyApi::RequestTimes(const std::string& prefix) const {
  std::lock_guard lock(state_->mutex);
  std::vector<Clock::time_point> times;
  for (const auto& [path, at] : state_->requests) {
    if (path.starts_with(prefix)) times.push_back(at);
  }
  return times;
}

int FakeSpotifyApi::TokenRequests(const std::string& grant_type) const {
  std::lock_guard lock(state_->mutex);
  const auto found = state_->token_requests.find(grant_type);
  return found == state_->token_requests.end() ? 0 : found->second;
}

std::vector<std::string> FakeSpotifyApi::Received() const {
  std::lock_guard lock(state_->mutex);
  return state_->received;
}

}  // namespace playlake::spotify::testing
