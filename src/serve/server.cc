#include "serve/server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace playlake::serve {
namespace {

constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

// Latency histogram bucket bounds in seconds, as Prometheus expects.
constexpr std::array<double, 9> kBuckets = {0.001, 0.005, 0.01, 0.025, 0.05,
                                            0.1,   0.25,  0.5,  1.0};

struct Latency {
  std::array<std::uint64_t, kBuckets.size()> buckets{};
  std::uint64_t count = 0;
  double sum_seconds = 0;
};

std::string ContentType(const std::filesystem::path& file) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},   {".json", "application/json"},
      {".svg", "image/svg+xml"},             {".png", "image/png"},
      {".ico", "image/x-icon"},              {".map", "application/json"}};
  const auto it = kTypes.find(file.extension().string());
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

void SendError(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(nlohmann::json{{"error", message}}.dump(), "application/json");
}

}  // namespace

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
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
  httplib::Server http;
  std::thread thread;
  int bound_port = 0;
  MetricsSource metrics_source;
  std::mutex stats_mutex;
  std::map<std::pair<std::string, int>, std::uint64_t> requests;  // (route, status) -> count
  std::map<std::string, Latency> latency;                         // by API route

  void CountRequest(const std::string& route, int status) {
    std::lock_guard lock(stats_mutex);
    requests[{route, status}]++;
  }

  void RecordLatency(const std::string& route, double seconds) {
    std::lock_guard lock(stats_mutex);
    Latency& l = latency[route];
    l.count++;
    l.sum_seconds += seconds;
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      if (seconds <= kBuckets[i]) l.buckets[i]++;
    }
  }

  std::string RenderMetrics() {
    std::ostringstream out;
    {
      std::lock_guard lock(stats_mutex);
      out << "# HELP playlake_http_requests_total HTTP requests served, by route and status.\n"
             "# TYPE playlake_http_requests_total counter\n";
      for (const auto& [key, n] : requests) {
        out << fmt::format("playlake_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n",
                           key.first, key.second, n);
      }
      out << "# HELP playlake_http_request_duration_seconds Time to answer an API request.\n"
             "# TYPE playlake_http_request_duration_seconds histogram\n";
      for (const auto& [route, s] : latency) {
        for (std::size_t i = 0; i < kBuckets.size(); ++i) {
          out << fmt::format(
              "playlake_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n",
              route, kBuckets[i], s.buckets[i]);
        }
        out << fmt::format(
            "playlake_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n",
            route, s.count);
        out << fmt::format("playlake_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n",
                           route, s.sum_seconds);
        out << fmt::format("playlake_http_request_duration_seconds_count{{route=\"{}\"}} {}\n",
                           route, s.count);
      }
    }
    if (metrics_source) out << metrics_source();
    return out.str();
  }

  bool Authorized(const httplib::Request& req) const {
    if (options.token.empty()) return true;
    return req.get_header_value("Authorization") == "Bearer " + options.token;
  }
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

Result<std::unique_ptr<Server>> Server::Create(ServerOptions options) {
  if (!IsLoopback(options.host) && options.token.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("refusing to serve on {} without a token: set one with --token or the "
                            "PLAYLAKE_TOKEN environment variable, or bind 127.0.0.1",
                            options.host));
  }
  if (options.port < 0 || options.port > 65535) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("--port: must be between 0 and 65535, not {}", options.port));
  }
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  Impl* self = impl.get();
  httplib::Server& http = impl->http;

  http.set_default_headers({{"Content-Security-Policy", kContentSecurityPolicy},
                            {"X-Content-Type-Options", "nosniff"},
                            {"X-Frame-Options", "DENY"},
                            {"Referrer-Policy", "no-referrer"},
                            {"Cache-Control", "no-store"}});
  http.set_payload_max_length(64 * 1024);
  // httplib writes headers and body separately; with Nagle on, a kept-alive
  // connection waits for the client's delayed ACK (about 40 ms) on every answer.
  http.set_tcp_nodelay(true);
  http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    SendError(res, 500, "internal error");
  });
  http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) SendError(res, res.status, res.status == 404 ? "not found" : "bad request");
  });
  http.set_logger([self](const httplib::Request& req, const httplib::Response& res) {
    // Route label: the matched API name or a fixed class, never the raw path,
    // so a scanner cannot blow up the metric's cardinality.
    std::string route = "static";
    if (req.path.rfind("/api/", 0) == 0) route = res.status == 404 ? "/api/unknown" : req.path;
    if (req.path == "/healthz" || req.path == "/metrics") route = req.path;
    self->CountRequest(route, res.status);
  });

  http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"status":"ok"})", "application/json");
  });
  http.Get("/metrics", [self](const httplib::Request&, httplib::Response& res) {
    res.set_content(self->RenderMetrics(), "text/plain; version=0.0.4");
  });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

void Server::AddApi(const std::string& name, ApiHandler handler) {
  Impl* self = impl_.get();
  const std::string path = "/api/" + name;
  impl_->http.Get(path, [self, path, handler = std::move(handler)](const httplib::Request& req,
                                                                   httplib::Response& res) {
    const auto start = std::chrono::steady_clock::now();
    if (!self->Authorized(req)) {
      SendError(res, 401, "missing or wrong token: send 'Authorization: Bearer TOKEN'");
    } else {
      Params params;
      for (const auto& [key, value] : req.params) params[key] = value;
      auto result = handler(params);
      if (result) {
        res.set_content(result->dump(), "application/json");
      } else if (result.error().code == ErrorCode::kInvalidArgument) {
        SendError(res, 400, result.error().message);
      } else {
        spdlog::warn("{}: {}", path, result.error().message);
        SendError(res, 500, result.error().message);
      }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    self->RecordLatency(path, seconds);
  });
}

void Server::SetMetricsSource(MetricsSource source) { impl_->metrics_source = std::move(source); }

Status Server::Start() {
  Impl* self = impl_.get();
  if (!impl_->options.static_dir.empty()) {
    impl_->http.Get(R"(/(?!api/).*)", [self](const httplib::Request& req, httplib::Response& res) {
      const auto file = ResolveStatic(self->options.static_dir, req.path);
      if (!file) return SendError(res, 404, "not found");
      std::ifstream in(*file, std::ios::binary);
      std::stringstream body;
      body << in.rdbuf();
      res.set_content(body.str(), ContentType(*file).c_str());
    });
  }
  const auto& o = impl_->options;
  if (o.port == 0) {
    impl_->bound_port = impl_->http.bind_to_any_port(o.host);
  } else {
    impl_->bound_port = impl_->http.bind_to_port(o.host, o.port) ? o.port : -1;
  }
  if (impl_->bound_port <= 0) {
    return Fail(ErrorCode::kIo, fmt::format("cannot listen on {}:{} (in use, or not an address "
                                            "of this machine?)", o.host, o.port));
  }
  impl_->thread = std::thread([self] { self->http.listen_after_bind(); });
  return {};
}

void Server::Wait() {
  if (impl_->thread.joinable()) impl_->thread.join();
}

void Server::Stop() {
  impl_->http.stop();
  Wait();
}

int Server::port() const { return impl_->bound_port; }

std::string Server::url() const {
  const std::string& host = impl_->options.host;
  return fmt::format("http://{}:{}/", host.find(':') != std::string::npos ? "[" + host + "]" : host,
                     impl_->bound_port);
}

}  // namespace playlake::serve
