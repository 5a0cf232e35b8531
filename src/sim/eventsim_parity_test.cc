// --format eventsim against the real Sparkify logs: per page, the same key
// sets, key order and JSON types (including which fields are null).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "sim/test_support.h"
#include "testing/testing.h"

namespace playlake::sim {
namespace {

using Signature = std::string;  // "key:type,key:type,..." in file order

std::string TypeName(const nlohmann::ordered_json& v) {
  if (v.is_null()) return "null";
  if (v.is_string()) return "string";
  if (v.is_boolean()) return "bool";
  if (v.is_number_float()) return "float";
  if (v.is_number()) return "int";
  return "object";
}

// page -> signatures seen, from NDJSON text.
std::map<std::string, std::set<Signature>> Signatures(const std::string& text) {
  std::map<std::string, std::set<Signature>> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    const auto j = nlohmann::ordered_json::parse(line);
    Signature sig;
    for (const auto& [key, value] : j.items()) sig += key + ":" + TypeName(value) + ",";
    out[j["page"].get<std::string>()].insert(sig);
  }
  return out;
}

TEST(EventsimParity, PagesHaveTheRealLogsKeysOrderAndTypes) {
  std::string real_text;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(
           playlake::testing::RealData() / "sparkify" / "log_data")) {
    if (entry.is_regular_file()) real_text += playlake::testing::ReadFile(entry.path()) + "\n";
  }
  const auto real = Signatures(real_text);
  ASSERT_GE(real.size(), 10u);

  playlake::testing::TempDir dir;
  GenerateOptions options;
  options.format = OutputFormat::kEventsim;
  testing::GenerateTo(testing::MakeWorld(3, 300, "2026-06-01", "2026-06-14"), options,
                      (dir / "log.json").string());
  const auto generated = Signatures(playlake::testing::ReadFile(dir / "log.json"));

  // Every page eventsim produces, including those absent from this sample.
  for (const char* page :
       {"NextSong",        "Home",           "Login",       "Logout",
        "Settings",        "Save Settings",  "Help",        "About",
        "Upgrade",         "Submit Upgrade", "Downgrade",   "Submit Downgrade",
        "Add to Playlist", "Thumbs Up",      "Thumbs Down", "Roll Advert",
        "Add Friend",      "Error",          "Cancel",      "Cancellation Confirmation"}) {
    EXPECT_TRUE(generated.count(page)) << page << " never generated";
  }
  const Signature logged_in_page = *real.at("Settings").begin();
  for (const auto& [page, signatures] : generated) {
    for (const Signature& sig : signatures) {
      if (real.count(page)) {
        EXPECT_TRUE(real.at(page).count(sig)) << page << ": " << sig;
      } else {
        EXPECT_EQ(sig, logged_in_page) << page;
      }
    }
  }
  // Both the logged-in and the logged-out shapes of Home appear, as in the real logs.
  EXPECT_EQ(generated.at("Home"), real.at("Home"));
  EXPECT_EQ(generated.at("NextSong"), real.at("NextSong"));
}

TEST(EventsimParity, ValuesLookLikeEventsim) {
  playlake::testing::TempDir dir;
  GenerateOptions options;
  options.format = OutputFormat::kEventsim;
  testing::GenerateTo(testing::MakeWorld(3, 100, "2026-06-01", "2026-06-03"), options,
                      (dir / "log.json").string());
  std::istringstream in(playlake::testing::ReadFile(dir / "log.json"));
  int plays = 0, quoted_agents = 0, logged_out = 0;
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line);
    EXPECT_TRUE(j["method"] == "GET" || j["method"] == "PUT");
    if (j["auth"] == "Logged Out") {
      ++logged_out;
      EXPECT_EQ(j["userId"], "");
      continue;
    }
    EXPECT_FALSE(j["userId"].get<std::string>().empty());
    const std::string agent = j["userAgent"];
    quoted_agents += agent.front() == '"' && agent.back() == '"';
    const std::string location = j["location"];
    EXPECT_NE(location.find(", "), std::string::npos) << location;
    if (j["page"] == "NextSong") {
      ++plays;
      EXPECT_EQ(j["status"], 200);
      EXPECT_GT(j["length"].get<double>(), 30.0);
    }
  }
  EXPECT_GT(plays, 1000);
  EXPECT_GT(quoted_agents, 0);
  EXPECT_GT(logged_out, 0);
}

}  // namespace
}  // namespace playlake::sim
