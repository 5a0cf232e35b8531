// The server on libmicrohttpd: one event loop (epoll) that this file drives
// itself, so the same thread can also enforce the whole-header deadline, and
// a small worker pool for the API handlers (their connections are suspended
// meanwhile, the loop keeps serving everyone else).
#include "serve/server.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <microhttpd.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "serve/http_checks.h"
#include "serve/metrics.h"
#include "serve/sse_hub.h"
#include "serve/worker_pool.h"

namespace playlake::serve {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

constexpr std::pair<const char*, const char*> kSecurityHeaders[] = {
    {"Content-Security-Policy", kContentSecurityPolicy},
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "no-referrer"},
    {"Cache-Control", "no-store"}};

// Wakes the event loop when another thread has resumed a connection (a worker
// that has its answer, a published event): MHD_resume_connection() alone
// leaves the loop asleep until its timeout (libmicrohttpd 0.9.75 with an
// external epoll loop), which cost every deferred answer and every pushed
// event up to the loop's sleep (ServerOptions::loop_sleep_milliseconds).
// The loop polls `fd` beside MHD's epoll fd. Shared: the SseHub's publishers
// may call it after the server is gone.
struct LoopWaker {
  const int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  LoopWaker() = default;
  LoopWaker(const LoopWaker&) = delete;
  LoopWaker& operator=(const LoopWaker&) = delete;
  ~LoopWaker() {
    if (fd >= 0) ::close(fd);
  }
  void Wake() const {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(fd, &one, sizeof one);  // full counter: awake anyway
  }
  void Clear() const {
    std::uint64_t count = 0;
    [[maybe_unused]] const auto n = ::read(fd, &count, sizeof count);
  }
};

std::string ContentType(const std::filesystem::path& file) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".map", "application/json"}};
  const auto it = kTypes.find(file.extension().string());
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

// An answer in memory, ready to send.
struct Answer {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

// Parameter values are echoed in error messages, possibly cut mid-character:
// never let that make the JSON itself fail.
std::string Dump(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Answer JsonError(int status, const std::string& message) {
  return {status, Dump(nlohmann::json{{"error", message}})};
}

// One request, from its complete header to its answer (MHD's per-request
// context). A worker fills `answer` before it resumes the connection.
struct Exchange {
  // libmicrohttpd calls the handler once the header is in, again when the
  // request is complete, and again after a suspended request resumes.
  enum class Stage { kHeaderReceived, kRouted };
  Stage stage = Stage::kHeaderReceived;
  std::string route;  // the metrics label: never the raw path
  Clock::time_point start = Clock::now();
  Answer answer;
};

// A connection, as the header deadline sees it.
struct Peer {
  int fd = -1;
  bool reading_header = true;
  Clock::time_point since = Clock::now();
};

// The query string, validated: well-formed UTF-8, no name twice.
struct ParamsReader {
  Params params;
  std::string error;

  static MHD_Result Add(void* cls, MHD_ValueKind, const char* key, const char* value) {
    auto* self = static_cast<ParamsReader*>(cls);
    const std::string name = key == nullptr ? "" : key;
    const std::string text = value == nullptr ? "" : value;
    if (!IsValidUtf8(name) || !IsValidUtf8(text)) {
      self->error = "a query parameter is not valid UTF-8 (percent-encode UTF-8 text)";
      return MHD_NO;
    }
    if (!self->params.emplace(name, text).second) {
      self->error = fmt::format("parameter '{}' is given more than once", name.substr(0, 40));
      return MHD_NO;
    }
    return MHD_YES;
  }
};

std::optional<std::uint64_t> ParseEventId(std::string_view text) {
  std::uint64_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return id;
}

void RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

bool IsLoopback(const std::string& host) {
  const auto address = ResolveListenAddress(host, 0);
  return address && address->loopback;
}

std::optional<std::filesystem::path> ResolveStatic(const std::filesystem::path& root,
                                                   const std::string& request_path) {
  if (request_path.empty() || request_path[0] != '/' ||
      request_path.find('\0') != std::string::npos) {
    return std::nullopt;
  }
  std::string relative = request_path.substr(1);
  if (relative.empty() || relative.back() == '/') relative += "index.html";
  std::error_code ec;
  const auto base = std::filesystem::weakly_canonical(root, ec);
  if (ec) return std::nullopt;
  const auto file = std::filesystem::weakly_canonical(base / relative, ec);
  if (ec) return std::nullopt;
  // Compare path components, so /srv/web-evil is not "inside" /srv/web.
  auto [base_end, file_it] = std::mismatch(base.begin(), base.end(), file.begin(), file.end());
  if (base_end != base.end()) return std::nullopt;
  if (!std::filesystem::is_regular_file(file, ec)) return std::nullopt;
  return file;
}

struct Server::Impl {
  ServerOptions options;
  ListenAddress address;
  std::set<std::string> host_names;  // accepted Host header names; empty: any
  std::map<std::string, ApiHandler> apis;
  std::map<std::string, std::shared_ptr<EventStream>> streams;
  std::shared_ptr<LoopWaker> waker = std::make_shared<LoopWaker>();
  std::shared_ptr<SseHub> hub;
  MetricsSource metrics_source;
  RequestStats stats;

  MHD_Daemon* daemon = nullptr;
  int bound_port = 0;
  std::unique_ptr<WorkerPool> workers;
  std::thread loop;
  std::atomic<bool> stopping = false;
  std::mutex stop_mutex;
  std::condition_variable stopped_cv;
  bool stopped = false;
  // Touched only on the loop thread (MHD calls back there).
  std::unordered_map<MHD_Connection*, Peer> peers;

  void Loop() {
    const auto* info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_EPOLL_FD);
    pollfd fds[] = {{info->epoll_fd, POLLIN, 0}, {waker->fd, POLLIN, 0}};
    while (!stopping) {
      const auto sleep = static_cast<MHD_UNSIGNED_LONG_LONG>(options.loop_sleep_milliseconds);
      MHD_UNSIGNED_LONG_LONG due = sleep;
      const int timeout =
          static_cast<int>(MHD_get_timeout(daemon, &due) == MHD_YES ? std::min(due, sleep) : sleep);
      if (::poll(fds, 2, timeout) > 0 && (fds[1].revents & POLLIN) != 0) waker->Clear();
      MHD_run(daemon);
      CutLateHeaders();
      hub->Sweep();
    }
  }

  // A header not complete `request_header_seconds` after it could start is
  // cut, however steadily it trickles: shutting the socket down makes MHD
  // see the end of the stream and close the connection on this thread.
  void CutLateHeaders() {
    const auto deadline = Clock::now() - std::chrono::seconds(options.request_header_seconds);
    for (auto& [connection, peer] : peers) {
      if (peer.reading_header && peer.since < deadline) {
        shutdown(peer.fd, SHUT_RDWR);
        peer.reading_header = false;
      }
    }
  }

  static void OnConnection(void* cls, MHD_Connection* connection, void**,
                           MHD_ConnectionNotificationCode code) {
    auto* self = static_cast<Impl*>(cls);
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
      self->peers.erase(connection);
      return;
    }
    const auto* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    self->peers[connection].fd = info == nullptr ? -1 : info->connect_fd;
  }

  static void OnCompleted(void* cls, MHD_Connection* connection, void** context,
                          MHD_RequestTerminationCode) {
    auto* self = static_cast<Impl*>(cls);
    std::unique_ptr<Exchange> done(static_cast<Exchange*>(*context));
    *context = nullptr;
    if (auto it = self->peers.find(connection); it != self->peers.end()) {
      it->second.reading_header = true;  // the next request's header, if any
      it->second.since = Clock::now();
    }
  }

  static MHD_Result OnRequest(void* cls, MHD_Connection* connection, const char* url,
                              const char* method, const char*, const char*,
                              std::size_t* upload_size, void** context) {
    auto* self = static_cast<Impl*>(cls);
    if (*context == nullptr) {
      if (auto it = self->peers.find(connection); it != self->peers.end()) {
        it->second.reading_header = false;
      }
      auto exchange = std::make_unique<Exchange>();
      Exchange& ex = *exchange;
      *context = exchange.release();  // freed by OnCompleted
      // A request that may carry a body is refused now, which also closes
      // the connection; any other is answered once it is complete. Answering
      // before that would make libmicrohttpd close the connection after the
      // answer, dropping requests pipelined behind it.
      const std::string_view verb = method;
      if (verb == "GET" || verb == "HEAD") return MHD_YES;
      ex.stage = Exchange::Stage::kRouted;
      ex.route = self->RouteLabel(url);
      ex.answer = JsonError(405, "only GET and HEAD are served");
      return self->Send(connection, ex);
    }
    auto& ex = *static_cast<Exchange*>(*context);
    *upload_size = 0;  // a GET's body, if any, is not read
    if (ex.stage == Exchange::Stage::kRouted) return self->Send(connection, ex);  // resumed
    ex.stage = Exchange::Stage::kRouted;
    ex.route = self->RouteLabel(url);
    return self->Route(connection, url, ex);
  }

  // The metrics label of a path: never the raw path, whose values are unbounded.
  std::string RouteLabel(const std::string& path) const {
    if (path == "/healthz" || path == "/metrics") return path;
    if (path.rfind("/api/", 0) == 0) {
      const std::string name = path.substr(5);
      return apis.count(name) || streams.count(name) ? path : "/api/unknown";
    }
    return "static";
  }

  MHD_Result Route(MHD_Connection* connection, const std::string& path, Exchange& ex) {
    if (!HostAccepted(connection)) {
      ex.answer = JsonError(421, "this server does not answer for that Host name");
      return Send(connection, ex);
    }
    if (ex.route == "/healthz") {
      ex.answer = {200, R"({"status":"ok"})"};
      return Send(connection, ex);
    }
    if (ex.route == "static") return SendFile(connection, path, ex);
    if (ex.route == "/api/unknown") {
      ex.answer = JsonError(404, "not found");
      return Send(connection, ex);
    }
    const bool needs_token = ex.route != "/metrics" || !options.public_metrics;
    if (needs_token && !Authorized(connection)) {
      ex.answer = JsonError(401, "missing or wrong token: send 'Authorization: Bearer TOKEN'");
      return Send(connection, ex);
    }
    if (ex.route == "/metrics") {
      return Defer(connection, ex, [this] {
        return Answer{200,
                      stats.Render() + StreamMetrics() + (metrics_source ? metrics_source() : ""),
                      "text/plain; version=0.0.4"};
      });
    }
    if (auto it = streams.find(ex.route.substr(5)); it != streams.end()) {
      return OpenStream(connection, *it->second, ex);
    }
    ParamsReader reader;
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, &ParamsReader::Add, &reader);
    if (!reader.error.empty()) {
      ex.answer = JsonError(400, reader.error);
      return Send(connection, ex);
    }
    return Defer(connection, ex, [this, route = ex.route, params = std::move(reader.params)] {
      return CallApi(route, params);
    });
  }

  // A Server-Sent Events answer that stays open (see SseHub).
  MHD_Result OpenStream(MHD_Connection* connection, EventStream& stream, Exchange& ex) {
    std::optional<std::uint64_t> last_event_id;
    const char* header = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Last-Event-ID");
    if (header != nullptr && *header != '\0') {
      last_event_id = ParseEventId(header);
      if (!last_event_id) {
        ex.answer = JsonError(400, "Last-Event-ID: expected the id of an event of this stream");
        return Send(connection, ex);
      }
    }
    MHD_Response* response = hub->Open(connection, stream, last_event_id);
    if (response != nullptr) {
      // Proxies must pass each event on at once (nginx buffers otherwise).
      MHD_add_response_header(response, "Cache-Control", "no-cache");
      MHD_add_response_header(response, "X-Accel-Buffering", "no");
    }
    return Queue(connection, response, 200, "text/event-stream", ex);
  }

  Answer CallApi(const std::string& route, const Params& params) {
    auto result = apis.at(route.substr(5))(params);
    if (result) return {200, Dump(*result)};
    if (result.error().code == ErrorCode::kInvalidArgument) {
      return JsonError(400, result.error().message);
    }
    // A server the answer depends on (ClickHouse) cannot be reached or read.
    if (result.error().code == ErrorCode::kIo) {
      spdlog::warn("{}: {}", route, result.error().message);
      return JsonError(503, result.error().message);
    }
    spdlog::warn("{}: {}", route, result.error().message);
    return JsonError(500, result.error().message);
  }

  // Runs `work` on a worker while the connection waits, suspended, off the loop.
  MHD_Result Defer(MHD_Connection* connection, Exchange& ex, std::function<Answer()> work) {
    MHD_suspend_connection(connection);
    const bool queued = workers->Submit([this, connection, &ex, work = std::move(work)] {
      try {
        ex.answer = work();
      } catch (const std::exception&) {
        ex.answer = JsonError(500, "internal error");
      }
      MHD_resume_connection(connection);
      waker->Wake();
    });
    if (!queued) {
      ex.answer = JsonError(503, "the server is busy; retry in a moment");
      MHD_resume_connection(connection);
    }
    return MHD_YES;
  }

  std::string StreamMetrics() const {
    if (streams.empty()) return "";
    return fmt::format(
        "# HELP playlake_stream_clients Open Server-Sent Events connections.\n"
        "# TYPE playlake_stream_clients gauge\nplaylake_stream_clients {}\n",
        hub->clients());
  }

  bool HostAccepted(MHD_Connection* connection) const {
    const char* host = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Host");
    return host == nullptr || host_names.empty() || host_names.count(HostName(host)) > 0;
  }

  bool Authorized(MHD_Connection* connection) const {
    if (options.token.empty()) return true;
    const char* header = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Authorization");
    const std::string_view value = header == nullptr ? "" : header;
    constexpr std::string_view kBearer = "Bearer ";
    return value.substr(0, kBearer.size()) == kBearer &&
           SameToken(value.substr(kBearer.size()), options.token);
  }

  MHD_Result SendFile(MHD_Connection* connection, const std::string& path, Exchange& ex) {
    const auto file =
        options.static_dir.empty() ? std::nullopt : ResolveStatic(options.static_dir, path);
    const int fd = file ? open(file->c_str(), O_RDONLY | O_CLOEXEC) : -1;
    struct stat info {};
    if (fd < 0 || fstat(fd, &info) != 0) {
      if (fd >= 0) close(fd);
      ex.answer = JsonError(404, "not found");
      return Send(connection, ex);
    }
    // The kernel sends the file: no copy of it per connection.
    MHD_Response* response =
        MHD_create_response_from_fd(static_cast<std::size_t>(info.st_size), fd);
    return Queue(connection, response, 200, ContentType(*file), ex);
  }

  MHD_Result Send(MHD_Connection* connection, Exchange& ex) {
    MHD_Response* response = MHD_create_response_from_buffer(
        ex.answer.body.size(), ex.answer.body.data(), MHD_RESPMEM_MUST_COPY);
    return Queue(connection, response, ex.answer.status, ex.answer.content_type, ex);
  }

  MHD_Result Queue(MHD_Connection* connection, MHD_Response* response, int status,
                   const std::string& content_type, const Exchange& ex) {
    if (response == nullptr) return MHD_NO;  // out of memory: MHD closes the connection
    for (const auto& [name, value] : kSecurityHeaders) {
      if (MHD_get_response_header(response, name) != nullptr) continue;  // set by the route
      MHD_add_response_header(response, name, value);
    }
    MHD_add_response_header(response, "Content-Type", content_type.c_str());
    const MHD_Result queued =
        MHD_queue_response(connection, static_cast<unsigned>(status), response);
    MHD_destroy_response(response);
    stats.Count(ex.route, status);
    if (ex.route.rfind("/api/", 0) == 0 && ex.route != "/api/unknown" &&
        !streams.count(ex.route.substr(5))) {
      stats.RecordLatency(ex.route, std::chrono::duration<double>(Clock::now() - ex.start).count());
    }
    return queued;
  }
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

Result<std::unique_ptr<Server>> Server::Create(ServerOptions options) {
  if (options.port < 0 || options.port > 65535) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("--port: must be between 0 and 65535, not {}", options.port));
  }
  for (const int limit :
       {options.request_header_seconds, options.idle_seconds, options.max_header_bytes,
        options.max_connections, options.max_connections_per_client, options.api_threads,
        options.max_queued_requests, options.stream_heartbeat_seconds,
        options.loop_sleep_milliseconds}) {
    if (limit <= 0) {
      return Fail(ErrorCode::kInvalidArgument, "server limits must be positive numbers");
    }
  }
  auto address = ResolveListenAddress(options.host, options.port);
  if (!address) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("refusing to serve on {}: {}", options.host, address.error().message));
  }
  if (!address->loopback && options.token.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("refusing to serve on {} without a token: set one with --token, "
                            "--token-file or the PLAYLAKE_TOKEN environment variable, or bind "
                            "127.0.0.1",
                            options.host));
  }
  auto impl = std::make_unique<Impl>();
  impl->address = *address;
  if (!address->wildcard) {
    impl->host_names = {HostName(options.host)};
    if (address->loopback) impl->host_names.insert({"localhost", "127.0.0.1", "::1"});
    for (const auto& name : options.allowed_hosts) impl->host_names.insert(HostName(name));
  }
  if (impl->waker->fd < 0) return Fail(ErrorCode::kIo, "cannot create an eventfd for the server");
  impl->hub = std::make_shared<SseHub>(options.stream_heartbeat_seconds,
                                       [waker = impl->waker] { waker->Wake(); });
  impl->options = std::move(options);
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

void Server::AddApi(const std::string& name, ApiHandler handler) {
  impl_->apis[name] = std::move(handler);
}

void Server::AddStream(const std::string& name, std::shared_ptr<EventStream> stream) {
  SseHub::Attach(impl_->hub, *stream);
  impl_->streams[name] = std::move(stream);
}

void Server::SetMetricsSource(MetricsSource source) { impl_->metrics_source = std::move(source); }

Status Server::Start() {
  RaiseOpenFileLimit();
  Impl* self = impl_.get();
  const ServerOptions& o = impl_->options;
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  // Leave room for the warehouse's and the static files' descriptors.
  const auto max_connections = static_cast<unsigned>(
      std::min<rlim_t>(o.max_connections, files.rlim_cur > 256 ? files.rlim_cur - 128 : 128));
  if (max_connections < static_cast<unsigned>(o.max_connections)) {
    spdlog::warn("serving at most {} connections: the open-file limit is {}", max_connections,
                 files.rlim_cur);
  }
  unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;
  if (impl_->address.address.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
  impl_->workers = std::make_unique<WorkerPool>(o.api_threads, o.max_queued_requests);
  impl_->daemon = MHD_start_daemon(
      flags, static_cast<std::uint16_t>(o.port), nullptr, nullptr, &Impl::OnRequest, self,
      MHD_OPTION_SOCK_ADDR, reinterpret_cast<const sockaddr*>(&impl_->address.address),
      MHD_OPTION_CONNECTION_LIMIT, max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
      static_cast<unsigned>(o.max_connections_per_client), MHD_OPTION_CONNECTION_TIMEOUT,
      static_cast<unsigned>(o.idle_seconds), MHD_OPTION_CONNECTION_MEMORY_LIMIT,
      static_cast<std::size_t>(o.max_header_bytes), MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
      MHD_OPTION_NOTIFY_COMPLETED, &Impl::OnCompleted, self, MHD_OPTION_NOTIFY_CONNECTION,
      &Impl::OnConnection, self, MHD_OPTION_END);
  if (impl_->daemon == nullptr) {
    return Fail(ErrorCode::kIo, fmt::format("cannot listen on {}:{} (in use, or not an address "
                                            "of this machine?)",
                                            o.host, o.port));
  }
  const auto* info = MHD_get_daemon_info(impl_->daemon, MHD_DAEMON_INFO_BIND_PORT);
  impl_->bound_port = info == nullptr ? o.port : info->port;
  impl_->loop = std::thread([self] { self->Loop(); });
  return {};
}

void Server::Wait() {
  std::unique_lock lock(impl_->stop_mutex);
  impl_->stopped_cv.wait(lock, [this] { return impl_->stopped || impl_->daemon == nullptr; });
}

void Server::Stop() {
  std::lock_guard lock(impl_->stop_mutex);
  if (impl_->daemon == nullptr || impl_->stopped) return;
  impl_->hub->CloseAll();  // MHD may not stop with suspended connections
  impl_->stopping = true;
  impl_->waker->Wake();
  impl_->loop.join();
  // Every suspended connection is resumed by its job; only then may MHD stop.
  impl_->workers.reset();
  MHD_run(impl_->daemon);
  MHD_stop_daemon(impl_->daemon);
  impl_->stopped = true;
  impl_->stopped_cv.notify_all();
}

int Server::port() const { return impl_->bound_port; }

std::string Server::url() const {
  const std::string& host = impl_->options.host;
  return fmt::format("http://{}:{}/", host.find(':') != std::string::npos ? "[" + host + "]" : host,
                     impl_->bound_port);
}

}  // namespace playlake::serve
