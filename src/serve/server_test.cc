#include "serve/server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <thread>

#include "testing/testing.h"

namespace playlake::serve {
namespace {

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_ / "web" / "assets");
    std::ofstream(dir_ / "web" / "index.html") << "<html>dashboard</html>";
    std::ofstream(dir_ / "web" / "assets" / "app.js") << "console.log(1)";
    std::ofstream(dir_ / "secret.txt") << "do not serve";
  }

  std::unique_ptr<Server> Start(ServerOptions options) {
    options.port = 0;
    options.static_dir = dir_ / "web";
    auto server = Server::Create(options);
    EXPECT_TRUE(server.has_value()) << server.error().message;
    (*server)->AddApi("echo", [](const Params& params) -> Result<nlohmann::json> {
      auto it = params.find("country");
      if (it != params.end() && it->second.size() != 2) {
        return Fail(ErrorCode::kInvalidArgument, "country: expected a 2-letter ISO code");
      }
      return nlohmann::json{{"country", it == params.end() ? "" : it->second}};
    });
    (*server)->AddApi("broken", [](const Params&) -> Result<nlohmann::json> {
      return Fail(ErrorCode::kWarehouse, "table gone");
    });
    (*server)->AddApi("throws", [](const Params&) -> Result<nlohmann::json> {
      throw std::runtime_error("boom");
    });
    (*server)->SetMetricsSource([] { return std::string("playlake_rows{layer=\"silver\"} 42\n"); });
    EXPECT_TRUE((*server)->Start());
    return std::move(*server);
  }

  testing::TempDir dir_;
};

TEST_F(ServerTest, ServesApiJsonWithSecurityHeaders) {
  auto server = Start({});
  httplib::Client client("127.0.0.1", server->port());
  auto res = client.Get("/api/echo?country=SE");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(nlohmann::json::parse(res->body)["country"], "SE");
  EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff");
  const auto csp = res->get_header_value("Content-Security-Policy");
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
}

TEST_F(ServerTest, BadParametersAre400JsonAndFailuresAre500Json) {
  auto server = Start({});
  httplib::Client client("127.0.0.1", server->port());
  auto bad = client.Get("/api/echo?country=Sweden");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(nlohmann::json::parse(bad->body)["error"].get<std::string>().find("country"),
            std::string::npos);
  auto broken = client.Get("/api/broken");
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->status, 500);
  EXPECT_EQ(nlohmann::json::parse(broken->body)["error"], "table gone");
  auto thrown = client.Get("/api/throws");
  ASSERT_TRUE(thrown);
  EXPECT_EQ(thrown->status, 500);
  auto unknown = client.Get("/api/nope");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_TRUE(nlohmann::json::parse(unknown->body).contains("error"));
  // Still alive after all that.
  EXPECT_EQ(client.Get("/healthz")->status, 200);
}

TEST_F(ServerTest, StaticFilesCannotEscapeTheirFolder) {
  auto server = Start({});
  httplib::Client client("127.0.0.1", server->port());
  auto index = client.Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->body, "<html>dashboard</html>");
  EXPECT_EQ(client.Get("/assets/app.js")->get_header_value("Content-Type"),
            "text/javascript; charset=utf-8");
  for (const char* path : {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt",
                           "/assets/%2e%2e/%2e%2e/secret.txt"}) {
    auto res = client.Get(path);
    if (res) {
      EXPECT_NE(res->status, 200) << path;
      EXPECT_EQ(res->body.find("do not serve"), std::string::npos) << path;
    }
  }
  EXPECT_FALSE(ResolveStatic(dir_ / "web", "/../secret.txt").has_value());
  EXPECT_FALSE(ResolveStatic(dir_ / "web", "/../web-evil/x").has_value());
  EXPECT_TRUE(ResolveStatic(dir_ / "web", "/assets/app.js").has_value());
}

TEST_F(ServerTest, NonLoopbackBindRequiresATokenThatApiCallsPresent) {
  ServerOptions open;
  open.host = "0.0.0.0";
  auto refused = Server::Create(open);
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().message.find("token"), std::string::npos);

  ServerOptions with_token;
  with_token.token = "s3cret";
  auto server = Start(with_token);
  httplib::Client client("127.0.0.1", server->port());
  EXPECT_EQ(client.Get("/api/echo")->status, 401);
  EXPECT_EQ(client.Get("/api/echo", {{"Authorization", "Bearer wrong"}})->status, 401);
  EXPECT_EQ(client.Get("/api/echo", {{"Authorization", "Bearer s3cret"}})->status, 200);
}

TEST(Loopback, ResolvesTheNameInsteadOfReadingIt) {
  EXPECT_TRUE(IsLoopback("127.0.0.1"));
  EXPECT_TRUE(IsLoopback("127.8.9.10"));
  EXPECT_TRUE(IsLoopback("::1"));
  EXPECT_TRUE(IsLoopback("localhost"));
  EXPECT_FALSE(IsLoopback("0.0.0.0"));
  EXPECT_FALSE(IsLoopback("::"));
  // Names that only look like loopback: one that does not resolve, and one
  // whose first label is 127 (the old check accepted both).
  EXPECT_FALSE(IsLoopback("127.0.0.1.invalid"));
  EXPECT_FALSE(IsLoopback("127.attacker.invalid"));
  ServerOptions options;
  options.host = "127.attacker.invalid";
  EXPECT_FALSE(Server::Create(options).has_value()) << "no token, not provably loopback";
}

TEST_F(ServerTest, WithATokenMetricsNeedItTooButHealthDoesNot) {
  ServerOptions options;
  options.token = "s3cret";
  auto server = Start(options);
  httplib::Client client("127.0.0.1", server->port());
  EXPECT_EQ(client.Get("/metrics")->status, 401);
  auto metrics = client.Get("/metrics", {{"Authorization", "Bearer s3cret"}});
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("playlake_rows"), std::string::npos);
  EXPECT_EQ(client.Get("/healthz")->status, 200);

  options.public_metrics = true;
  auto public_metrics = Start(options);
  httplib::Client anyone("127.0.0.1", public_metrics->port());
  EXPECT_EQ(anyone.Get("/metrics")->status, 200);
  EXPECT_EQ(anyone.Get("/api/echo")->status, 401);
}

TEST_F(ServerTest, ForeignHostHeadersAreRefusedSoDnsRebindingCannotReadTheApi) {
  auto server = Start({});
  httplib::Client client("127.0.0.1", server->port());
  auto rebound = client.Get("/api/echo", {{"Host", "attacker.example:8080"}});
  ASSERT_TRUE(rebound);
  EXPECT_EQ(rebound->status, 421);
  EXPECT_EQ(client.Get("/", {{"Host", "attacker.example"}})->status, 421);
  for (const char* host : {"127.0.0.1", "localhost:8080", "[::1]:8080", "LOCALHOST"}) {
    auto res = client.Get("/api/echo", {{"Host", host}});
    ASSERT_TRUE(res) << host;
    EXPECT_EQ(res->status, 200) << host;
  }

  ServerOptions named;
  named.host = "127.0.0.1";
  named.allowed_hosts = {"dashboard.example"};
  auto allowed = Start(named);
  httplib::Client via_proxy("127.0.0.1", allowed->port());
  EXPECT_EQ(via_proxy.Get("/api/echo", {{"Host", "dashboard.example"}})->status, 200);
}

TEST_F(ServerTest, MetricsCountRequestsAndLatency) {
  auto server = Start({});
  httplib::Client client("127.0.0.1", server->port());
  client.Get("/api/echo");
  client.Get("/api/echo");
  client.Get("/api/echo?country=bad");
  // The server counts a request after it has sent the response, so the last
  // one may land a moment after the client has its answer.
  const std::string last = "playlake_http_requests_total{route=\"/api/echo\",status=\"400\"} 1";
  auto res = client.Get("/metrics");
  for (int i = 0; i < 100 && res && res->body.find(last) == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    res = client.Get("/metrics");
  }
  ASSERT_TRUE(res);
  EXPECT_NE(res->body.find("playlake_http_requests_total{route=\"/api/echo\",status=\"200\"} 2"),
            std::string::npos)
      << res->body;
  EXPECT_NE(res->body.find("playlake_http_requests_total{route=\"/api/echo\",status=\"400\"} 1"),
            std::string::npos);
  EXPECT_NE(res->body.find("playlake_http_request_duration_seconds_count{route=\"/api/echo\"} 3"),
            std::string::npos);
  EXPECT_NE(res->body.find("playlake_rows{layer=\"silver\"} 42"), std::string::npos);
}

TEST_F(ServerTest, MalformedRequestsDoNotCrashIt) {
  auto server = Start({});
  httplib::Client client("127.0.0.1", server->port());
  // The server refuses a POST without reading its body and closes: the
  // client's write of the rest then fails, which must not kill this test.
  std::signal(SIGPIPE, SIG_IGN);
  auto big = client.Post("/api/echo", std::string(1 << 20, 'x'), "text/plain");
  if (big) {
    EXPECT_GE(big->status, 400);
  }
  auto raw = testing::RunShell(
      "printf 'GARBAGE\\r\\n\\r\\n' | timeout 2 bash -c 'cat > /dev/tcp/127.0.0.1/" +
      std::to_string(server->port()) + "'");
  (void)raw;
  EXPECT_EQ(client.Get("/healthz")->status, 200);
}

}  // namespace
}  // namespace playlake::serve
