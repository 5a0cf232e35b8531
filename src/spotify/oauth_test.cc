// PKCE, Base64 and the token endpoint, against RFC vectors and the fake
// accounts service on 127.0.0.1.
#include "spotify/oauth.h"

#include <gtest/gtest.h>

#include "spotify/fake_spotify_api.h"

namespace playlake::spotify {
namespace {

using testing::FakeSpotifyApi;

ClientOptions OptionsFor(const FakeSpotifyApi& fake) {
  ClientOptions options;
  options.api_base = fake.api_base();
  options.accounts_base = fake.accounts_base();
  return options;
}

TEST(Pkce, S256MatchesRfc7636AppendixB) {
  EXPECT_EQ(S256Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(Pkce, VerifiersAreLongUnreservedAndDifferent) {
  const Pkce first = NewPkce();
  const Pkce second = NewPkce();
  EXPECT_EQ(first.verifier.size(), 64u);
  EXPECT_EQ(first.verifier.find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"),
            std::string::npos);
  EXPECT_NE(first.verifier, second.verifier);
  EXPECT_EQ(first.challenge, S256Challenge(first.verifier));
}

TEST(Base64, MatchesRfc4648Vectors) {
  EXPECT_EQ(Base64("", false), "");
  EXPECT_EQ(Base64("f", false), "Zg==");
  EXPECT_EQ(Base64("fo", false), "Zm8=");
  EXPECT_EQ(Base64("foo", false), "Zm9v");
  EXPECT_EQ(Base64("foobar", false), "Zm9vYmFy");
  EXPECT_EQ(Base64("\xfb\xff", true), "-_8");
  EXPECT_EQ(Base64("\xfb\xff", false), "+/8=");
}

TEST(AuthorizeUrl, CarriesTheChallengeStateAndEncodedRedirect) {
  ClientOptions options;
  const std::string url = AuthorizeUrl(options, "abc", "http://127.0.0.1:8888/callback", "CH", "ST",
                                       {"user-top-read", "user-library-read"});
  EXPECT_EQ(url,
            "https://accounts.spotify.com/authorize?client_id=abc&response_type=code"
            "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8888%2Fcallback"
            "&code_challenge_method=S256&code_challenge=CH&state=ST"
            "&scope=user-top-read%20user-library-read");
}

TEST(TokenEndpoint, ClientCredentialsGivesAnAppToken) {
  FakeSpotifyApi fake(PLAYLAKE_SPOTIFY_DATA);
  Result<TokenSet> tokens = ClientCredentialsToken(OptionsFor(fake), FakeSpotifyApi::kClientId,
                                                   FakeSpotifyApi::kClientSecret);
  ASSERT_TRUE(tokens) << tokens.error().message;
  EXPECT_FALSE(tokens->access_token.empty());
  EXPECT_TRUE(tokens->refresh_token.empty());
  EXPECT_EQ(tokens->expires_in, 3600);
  // The token opens the catalog.
  ApiClient client(OptionsFor(fake), tokens->access_token, nullptr);
  EXPECT_TRUE(client.GetJson("/artists/0OdUWJ0sBjDrqHygGUXeCF"));
}

TEST(TokenEndpoint, AWrongSecretSaysToCheckTheApp) {
  FakeSpotifyApi fake(PLAYLAKE_SPOTIFY_DATA);
  Result<TokenSet> tokens =
      ClientCredentialsToken(OptionsFor(fake), FakeSpotifyApi::kClientId, "wrong");
  ASSERT_FALSE(tokens);
  EXPECT_EQ(tokens.error().code, ErrorCode::kConfig);
  EXPECT_NE(tokens.error().message.find("check the client id"), std::string::npos)
      << tokens.error().message;
  EXPECT_EQ(tokens.error().message.find("wrong"), std::string::npos);
}

TEST(TokenEndpoint, ARevokedRefreshTokenSaysToLogInAgain) {
  FakeSpotifyApi fake(PLAYLAKE_SPOTIFY_DATA);
  const std::string refresh = fake.IssueRefreshToken();
  ASSERT_TRUE(RefreshAccessToken(OptionsFor(fake), FakeSpotifyApi::kClientId, refresh));
  fake.RevokeRefreshTokens();
  Result<TokenSet> again = RefreshAccessToken(OptionsFor(fake), FakeSpotifyApi::kClientId, refresh);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kConfig);
  EXPECT_NE(again.error().message.find("run `playlake spotify login` again"), std::string::npos)
      << again.error().message;
  EXPECT_EQ(again.error().message.find(refresh), std::string::npos);
}

TEST(TokenEndpoint, AnUnreachableEndpointIsAnIoError) {
  ClientOptions options;
  options.accounts_base = "http://127.0.0.1:9";  // discard port: nothing listens
  Result<TokenSet> tokens = RefreshAccessToken(options, "id", "token");
  ASSERT_FALSE(tokens);
  EXPECT_EQ(tokens.error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace playlake::spotify
