#include "spotify/login.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>

namespace playlake::spotify {
namespace {

// What the browser brought back to /callback.
struct Callback {
  std::string code;
  std::string state;
  std::string error;  // set when the listener refused
};

struct CallbackState {
  std::mutex mutex;
  std::condition_variable arrived;
  std::optional<Callback> callback;
  bool answered = false;  // the browser has the page for the callback
};

std::string Arg(MHD_Connection* connection, const char* key) {
  const char* value = MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, key);
  return value == nullptr ? "" : value;
}

MHD_Result Reply(MHD_Connection* connection, unsigned status, const std::string& html) {
  MHD_Response* response = MHD_create_response_from_buffer(
      html.size(), const_cast<char*>(html.data()), MHD_RESPMEM_MUST_COPY);
  MHD_add_response_header(response, "Content-Type", "text/html; charset=utf-8");
  MHD_add_response_header(response, "Cache-Control", "no-store");
  const MHD_Result queued = MHD_queue_response(connection, status, response);
  MHD_destroy_response(response);
  return queued;
}

MHD_Result Answer(void* cls, MHD_Connection* connection, const char* url, const char* method,
                  const char*, const char*, size_t*, void**) {
  auto* state = static_cast<CallbackState*>(cls);
  if (std::strcmp(method, "GET") != 0 || std::strcmp(url, "/callback") != 0) {
    return Reply(connection, MHD_HTTP_NOT_FOUND, "<p>Not found.</p>");
  }
  {
    std::lock_guard lock(state->mutex);
    if (state->callback) {
      return Reply(connection, MHD_HTTP_GONE, "<p>This login is already finished.</p>");
    }
    state->callback =
        Callback{Arg(connection, "code"), Arg(connection, "state"), Arg(connection, "error")};
  }
  state->arrived.notify_all();
  return Reply(connection, MHD_HTTP_OK,
               "<!doctype html><title>Playlake</title><p>Playlake received Spotify's answer. "
               "You can close this tab and return to the terminal.</p>");
}

// MHD_OPTION_NOTIFY_COMPLETED: a response went out (or the connection ended).
void Completed(void* cls, MHD_Connection*, void**, MHD_RequestTerminationCode) {
  auto* state = static_cast<CallbackState*>(cls);
  {
    std::lock_guard lock(state->mutex);
    if (state->callback) state->answered = true;
  }
  state->arrived.notify_all();
}

using Daemon = std::unique_ptr<MHD_Daemon, decltype(&MHD_stop_daemon)>;

}  // namespace

std::string RedirectUri(int port) { return fmt::format("http://127.0.0.1:{}/callback", port); }

Result<TokenSet> LoginWithPkce(const LoginOptions& options) {
  CallbackState state;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(options.port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  Daemon daemon(
      MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
                       static_cast<std::uint16_t>(options.port), nullptr, nullptr, &Answer, &state,
                       MHD_OPTION_SOCK_ADDR, &address, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                       MHD_OPTION_NOTIFY_COMPLETED, &Completed, &state, MHD_OPTION_END),
      MHD_stop_daemon);
  if (!daemon) {
    return Fail(ErrorCode::kIo,
                fmt::format("cannot listen on 127.0.0.1:{} for Spotify's redirect; is another "
                            "program using the port? Choose another with --port (and add "
                            "its redirect URI to your app)",
                            options.port));
  }
  const MHD_DaemonInfo* info = MHD_get_daemon_info(daemon.get(), MHD_DAEMON_INFO_BIND_PORT);
  const int port = info != nullptr ? info->port : options.port;
  const std::string redirect = RedirectUri(port);

  const Pkce pkce = NewPkce();
  const std::string expected_state = RandomToken();
  if (options.show) {
    options.show(AuthorizeUrl(options.client, options.client_id, redirect, pkce.challenge,
                              expected_state, options.scopes));
  }
  Callback callback;
  {
    std::unique_lock lock(state.mutex);
    if (!state.arrived.wait_for(lock, options.timeout,
                                [&] { return state.callback.has_value(); })) {
      return Fail(ErrorCode::kConfig,
                  fmt::format("no answer from the browser within {} s; run `playlake spotify "
                              "login` again and open the URL it prints",
                              options.timeout.count()));
    }
    callback = *state.callback;
    // The browser's page goes out before the server stops (a few seconds at most).
    state.arrived.wait_for(lock, std::chrono::seconds(5), [&] { return state.answered; });
  }
  if (callback.state != expected_state) {
    return Fail(ErrorCode::kConfig,
                "the browser's answer does not belong to this login (its state differs); run "
                "`playlake spotify login` again");
  }
  if (!callback.error.empty() || callback.code.empty()) {
    return Fail(ErrorCode::kConfig,
                fmt::format("Spotify did not grant access ({}); run `playlake spotify login` "
                            "again and accept",
                            callback.error.empty() ? "no code" : callback.error));
  }
  return ExchangeCode(options.client, options.client_id, callback.code, redirect, pkce.verifier);
}

}  // namespace playlake::spotify
