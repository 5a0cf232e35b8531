// The PKCE login end to end: the test plays the browser against the fake
// authorize endpoint and the login's real loopback callback.
#include "spotify/login.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <future>
#include <regex>
#include <thread>

#include "spotify/fake_spotify_api.h"

namespace playlake::spotify {
namespace {

using testing::FakeSpotifyApi;

struct Browser {
  std::promise<std::string> url;
};

LoginOptions OptionsFor(const FakeSpotifyApi& fake, Browser& browser) {
  LoginOptions options;
  options.client.api_base = fake.api_base();
  options.client.accounts_base = fake.accounts_base();
  options.client_id = FakeSpotifyApi::kClientId;
  options.port = 0;
  options.timeout = std::chrono::seconds(30);
  options.show = [&browser](const std::string& url) { browser.url.set_value(url); };
  return options;
}

// GETs `url` ("http://127.0.0.1:PORT/path?query") without following redirects.
httplib::Result Get(const std::string& url) {
  std::smatch match;
  static const std::regex kUrl(R"((http://127\.0\.0\.1:\d+)(/.*))");
  EXPECT_TRUE(std::regex_match(url, match, kUrl)) << url;
  httplib::Client client(match[1].str());
  client.set_follow_location(false);
  return client.Get(match[2].str().c_str());
}

TEST(LoginWithPkce, GrantsTokensThroughTheLoopbackRedirect) {
  FakeSpotifyApi fake(PLAYLAKE_SPOTIFY_DATA);
  Browser browser;
  auto login = std::async(std::launch::async, [&, options = OptionsFor(fake, browser)] {
    return LoginWithPkce(options);
  });
  const std::string authorize = browser.url.get_future().get();
  EXPECT_NE(authorize.find("code_challenge_method=S256"), std::string::npos);
  EXPECT_NE(authorize.find("redirect_uri=http%3A%2F%2F127.0.0.1%3A"), std::string::npos);
  httplib::Result redirect = Get(authorize);
  ASSERT_TRUE(redirect);
  ASSERT_EQ(redirect->status, 302) << redirect->body;
  const std::string callback = redirect->get_header_value("Location");
  httplib::Result landed = Get(callback);
  ASSERT_TRUE(landed);
  EXPECT_EQ(landed->status, 200);
  EXPECT_NE(landed->body.find("close this tab"), std::string::npos);

  Result<TokenSet> tokens = login.get();
  ASSERT_TRUE(tokens) << tokens.error().message;
  EXPECT_FALSE(tokens->refresh_token.empty());
  EXPECT_EQ(fake.TokenRequests("authorization_code"), 1);
  // The tokens work: the API answers with them.
  ApiClient client(OptionsFor(fake, browser).client, tokens->access_token, nullptr);
  EXPECT_TRUE(client.GetJson("/artists/0OdUWJ0sBjDrqHygGUXeCF"));
}

TEST(LoginWithPkce, RefusesACallbackWithAnotherState) {
  FakeSpotifyApi fake(PLAYLAKE_SPOTIFY_DATA);
  Browser browser;
  auto login = std::async(std::launch::async, [&, options = OptionsFor(fake, browser)] {
    return LoginWithPkce(options);
  });
  const std::string authorize = browser.url.get_future().get();
  httplib::Result redirect = Get(authorize);
  ASSERT_TRUE(redirect);
  std::string forged = redirect->get_header_value("Location");
  forged = forged.substr(0, forged.find("&state=")) + "&state=forged";
  ASSERT_TRUE(Get(forged));
  Result<TokenSet> tokens = login.get();
  ASSERT_FALSE(tokens);
  EXPECT_NE(tokens.error().message.find("state differs"), std::string::npos);
  EXPECT_EQ(fake.TokenRequests("authorization_code"), 0);
}

TEST(LoginWithPkce, ADeniedGrantSaysSo) {
  FakeSpotifyApi fake(PLAYLAKE_SPOTIFY_DATA);
  Browser browser;
  auto login = std::async(std::launch::async, [&, options = OptionsFor(fake, browser)] {
    return LoginWithPkce(options);
  });
  const std::string authorize = browser.url.get_future().get();
  std::smatch state;
  ASSERT_TRUE(std::regex_search(authorize, state, std::regex("state=([A-Za-z0-9]+)")));
  std::smatch port;
  ASSERT_TRUE(std::regex_search(authorize, port, std::regex("127\\.0\\.0\\.1%3A(\\d+)")));
  ASSERT_TRUE(Get("http://127.0.0.1:" + port[1].str() +
                  "/callback?error=access_denied&state=" + state[1].str()));
  Result<TokenSet> tokens = login.get();
  ASSERT_FALSE(tokens);
  EXPECT_NE(tokens.error().message.find("access_denied"), std::string::npos);
}

}  // namespace
}  // namespace playlake::spotify
