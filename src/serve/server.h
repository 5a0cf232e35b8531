// The HTTP server behind the dashboard: static files, a read-only JSON API,
// /healthz and /metrics (Prometheus text format).
//
// Safe by default: it binds 127.0.0.1; binding an address that does not
// resolve to loopback only requires a token that every /api and /metrics
// request must present (`Authorization: Bearer TOKEN`, compared in constant
// time). A request whose Host header names none of the bound names gets 421,
// so a DNS-rebound page cannot read a loopback server. Every response carries
// a Content-Security-Policy that allows no inline script, and nosniff. Static
// files are served only from inside `static_dir`. A bad request gets a 4xx
// JSON body {"error": "..."}; a handler's failure a 5xx JSON body; nothing a
// client sends can crash the process.
//
// Hostile clients cannot stall it: one event loop holds every connection
// (no thread each); a request's whole header must arrive within
// `request_header_seconds` however slowly it trickles; headers are capped in
// size; connections are capped per client address and in total; API handlers
// run on a small worker pool while the loop keeps answering others. Range
// headers are ignored (a whole answer, once), and a connection holds at most
// one answer at a time.
//
// Streaming endpoints (AddStream) answer with Server-Sent Events: the
// connection stays open, holding no thread and no buffer of its own, and
// receives every event published on its EventStream, a heartbeat comment
// every `stream_heartbeat_seconds`, and on reconnect with `Last-Event-ID`
// exactly the events after that id while the stream's ring still holds them.
// A client that falls behind the ring is closed. Stop() ends every stream.
//
// Thread safety: handlers run concurrently on the worker threads and must be
// safe for that. Start() returns once the socket is bound; Stop() may be
// called from any thread.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "serve/event_stream.h"

namespace playlake::serve {

struct ServerOptions {
  std::string host = "127.0.0.1";    // a name or an address; resolved, not read
  int port = 8080;                   // 0: pick a free port (see Server::port())
  std::string token;                 // required unless host resolves to loopback only
  std::filesystem::path static_dir;  // the built dashboard; empty: no static files
  // /metrics without the token even when one is set (e.g. for a scraper).
  bool public_metrics = false;
  // Host header values accepted besides the bound name (and, on loopback,
  // localhost, 127.0.0.1 and ::1); e.g. the name a reverse proxy forwards.
  // Binding 0.0.0.0 or :: accepts any Host (the token guards it).
  std::vector<std::string> allowed_hosts;

  // Limits on what one client may cost.
  int request_header_seconds = 10;      // whole request header, from connect or the last answer
  int idle_seconds = 60;                // no traffic at all while an answer is pending or sent
  int max_header_bytes = 32 * 1024;     // request line and headers
  int max_connections = 4096;           // in total (capped by the open-file limit)
  int max_connections_per_client = 64;  // per client IP address
  int api_threads = 4;                  // API handlers running at once
  int max_queued_requests = 256;        // API requests waiting for a thread; more get 503
  int stream_heartbeat_seconds = 15;    // a comment on an idle event stream; below idle_seconds
  // The longest the event loop sleeps with nothing to do, i.e. how late a
  // header deadline or a heartbeat is noticed. Answers and events never wait
  // for it: whoever has one ready wakes the loop.
  int loop_sleep_milliseconds = 100;
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
  // Registers GET /api/<name> as a Server-Sent Events stream of `stream`'s
  // events (the same token rules as the API). Publish on `stream` from any
  // thread. REQUIRES: called before Start(); `name` is not also an AddApi name.
  void AddStream(const std::string& name, std::shared_ptr<EventStream> stream);
  // REQUIRES: called before Start().
  void SetMetricsSource(MetricsSource source);

  // Raises the open-file limit to its hard limit, binds, and starts serving
  // on background threads. Error{kIo} when it cannot bind.
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

// True when `host` resolves, and only to loopback addresses (127.0.0.0/8,
// ::1). A name is resolved, so "127.example.com" is not loopback.
bool IsLoopback(const std::string& host);

// Resolves `request_path` (e.g. "/assets/app.js") inside `root`; nullopt when
// it would leave `root` or names no regular file. "/" maps to index.html.
std::optional<std::filesystem::path> ResolveStatic(const std::filesystem::path& root,
                                                   const std::string& request_path);

}  // namespace playlake::serve
