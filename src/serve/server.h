// The HTTP server behind the dashboard: static files, a read-only JSON API,
// /healthz and /metrics (Prometheus text format).
//
// Safe by default: it binds 127.0.0.1; binding any other address requires a
// token that every /api request must present (`Authorization: Bearer TOKEN`).
// Every response carries a Content-Security-Policy that allows no inline
// script, and nosniff. Static files are served only from inside `static_dir`.
// A bad request gets a 4xx JSON body {"error": "..."}; a handler's failure a
// 5xx JSON body; nothing a client sends can crash the process.
//
// Thread safety: handlers run concurrently on the server's worker threads and
// must be safe for that. Start() returns once the socket is bound; Stop() may
// be called from any thread.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "common/result.h"

namespace playlake::serve {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                      // 0: pick a free port (see Server::port())
  std::string token;                    // required unless host is a loopback address
  std::filesystem::path static_dir;     // the built dashboard; empty: no static files
};

// The query string of an API request, already split into names and values.
using Params = std::map<std::string, std::string>;

// An API endpoint: validated parameters in, a JSON document out. Return
// Error{kInvalidArgument} for bad parameters (becomes 400), any other error
// becomes 500 with its message.
using ApiHandler = std::function<Result<nlohmann::json>(const Params&)>;

// Extra lines for /metrics, in Prometheus text format, computed per scrape.
using MetricsSource = std::function<std::string()>;

class Server {
 public:
  // Validates `options` (a non-loopback host without a token is refused).
  static Result<std::unique_ptr<Server>> Create(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Registers GET /api/<name>. REQUIRES: called before Start().
  void AddApi(const std::string& name, ApiHandler handler);
  // REQUIRES: called before Start().
  void SetMetricsSource(MetricsSource source);

  // Binds and starts serving on background threads.
  Status Start();
  // Blocks until Stop() is called (or the server fails).
  void Wait();
  void Stop();

  int port() const;
  std::string url() const;

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopback(const std::string& host);

// Resolves `request_path` (e.g. "/assets/app.js") inside `root`; nullopt when
// it would leave `root` or names no regular file. "/" maps to index.html.
std::optional<std::filesystem::path> ResolveStatic(const std::filesystem::path& root,
                                                   const std::string& request_path);

}  // namespace playlake::serve
