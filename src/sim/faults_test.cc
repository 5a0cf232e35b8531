// Fault injection measured on the output, line by line, as silver would see it.
#include "sim/faults.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "sim/test_support.h"
#include "testing/testing.h"

namespace playlake::sim {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t begin = 0;
  for (size_t end; (end = text.find('\n', begin)) != std::string::npos; begin = end + 1) {
    lines.push_back(text.substr(begin, end - begin));
  }
  EXPECT_EQ(begin, text.size()) << "output must end with a newline";
  return lines;
}

// A play as the contract defines it: the required fields with their types.
bool IsValidPlay(const nlohmann::json& j) {
  return j.is_object() && j.contains("event_id") && j["event_id"].is_string() && j.contains("ts") &&
         j["ts"].is_string() && j.contains("user_id") && j["user_id"].is_string() &&
         j.contains("track_id") && j["track_id"].is_string() && j.contains("ms_played") &&
         j["ms_played"].is_number_integer();
}

TEST(Faults, AreInjectedAtTheRequestedRatesAndLeaveEveryPlayIntact) {
  playlake::testing::TempDir dir;
  const auto world = testing::MakeWorld(11, 200, "2026-05-04", "2026-05-17");
  GenerateOptions clean_options;
  const auto clean = testing::GenerateTo(world, clean_options, (dir / "clean.jsonl").string());
  GenerateOptions options;
  options.threads = 2;
  options.faults = {0.02, 0.03, 0.01, 0.05};
  const auto faulty = testing::GenerateTo(world, options, (dir / "faulty.jsonl").string());
  ASSERT_EQ(faulty.stats.plays, clean.stats.plays);
  const double plays = static_cast<double>(clean.stats.plays);
  ASSERT_GT(plays, 20000);

  const std::set<std::string> contract = {
      "event_id",  "ts",           "user_id",    "track_id",    "ms_played",  "session_id",
      "artist_id", "album_id",     "track_name", "artist_name", "album_name", "duration_ms",
      "country",   "region",       "city",       "timezone",    "device",     "platform",
      "level",     "reason_start", "reason_end", "shuffle",     "skipped",    "offline"};
  std::set<std::string> clean_ids;
  for (const auto& line : Lines(playlake::testing::ReadFile(dir / "clean.jsonl"))) {
    clean_ids.insert(nlohmann::json::parse(line)["event_id"].get<std::string>());
  }

  const auto lines = Lines(playlake::testing::ReadFile(dir / "faulty.jsonl"));
  std::unordered_map<std::string, size_t> first_seen;  // event_id -> line index
  size_t duplicates = 0, late = 0, malformed = 0, unknown = 0;
  std::map<std::string, int> malformed_kinds;
  std::string max_ts;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    nlohmann::json j;
    bool parsed = true;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception&) {
      parsed = false;
    }
    if (!parsed || !IsValidPlay(j)) {
      ++malformed;
      if (line.find("\xff\xfe") != std::string::npos) {
        ++malformed_kinds["invalid utf-8"];
      } else if (line.rfind("{\"event_id\"", 0) != 0) {
        ++malformed_kinds["garbage"];
      } else if (!parsed) {
        ++malformed_kinds["truncated"];
      } else if (!j.contains("user_id")) {
        ++malformed_kinds["missing field"];
      } else {
        ++malformed_kinds["wrong type"];
      }
      continue;
    }
    for (const auto& [key, value] : j.items()) {
      if (!contract.count(key)) {
        ++unknown;
        break;
      }
    }
    const std::string id = j["event_id"];
    if (auto it = first_seen.find(id); it != first_seen.end()) {
      ++duplicates;
      EXPECT_EQ(lines[it->second], line) << "a duplicate is byte-identical";
      EXPECT_LE(i - it->second, 25u) << "a duplicate comes a few lines later";
      continue;
    }
    first_seen[id] = i;
    // Late: an hour or more behind the newest play already delivered.
    const std::string ts = j["ts"];
    if (!max_ts.empty() && ts < max_ts) {
      // Compare as instants: both are fixed-width RFC 3339 UTC strings.
      auto ms = [](const std::string& t) {
        return DaysFromCivil(std::stoi(t.substr(0, 4)), std::stoi(t.substr(5, 2)),
                             std::stoi(t.substr(8, 2))) *
                   kMsPerDay +
               std::stoll(t.substr(11, 2)) * kMsPerHour + std::stoll(t.substr(14, 2)) * 60000 +
               std::stoll(t.substr(17, 2)) * 1000 + std::stoll(t.substr(20, 3));
      };
      if (ms(max_ts) - ms(ts) >= kMsPerHour) ++late;
    }
    max_ts = std::max(max_ts, ts);
  }
  // Every play is there exactly once as a valid event, and nothing else is.
  EXPECT_EQ(first_seen.size(), clean_ids.size());
  for (const auto& [id, index] : first_seen) EXPECT_TRUE(clean_ids.count(id)) << id;

  EXPECT_NEAR(duplicates / plays, 0.02, 0.004);
  EXPECT_NEAR(late / plays, 0.03, 0.005);
  EXPECT_NEAR(malformed / plays, 0.01, 0.002);
  EXPECT_NEAR(unknown / plays, 0.05, 0.006);
  for (const char* kind :
       {"invalid utf-8", "garbage", "truncated", "missing field", "wrong type"}) {
    EXPECT_GT(malformed_kinds[kind], 10) << kind;
  }
  EXPECT_EQ(faulty.stats.faults.duplicates, duplicates);
  EXPECT_EQ(faulty.stats.faults.malformed, malformed);
  EXPECT_EQ(faulty.stats.lines, lines.size());
}

TEST(Faults, ZeroRatesChangeNothing) {
  OutputParts out;
  FaultInjector faults({}, 1, "user_id");
  const std::string text(17 * 1000, 'x');
  for (int i = 0; i < 1000; ++i) faults.Push(std::string_view(text).substr(17 * i, 17), i, out);
  faults.Finish(out);
  EXPECT_EQ(out.bytes(), 1000u * 17);
  ASSERT_EQ(out.parts().size(), 1u) << "adjacent lines are written as one part";
  EXPECT_EQ(out.parts()[0].data(), text.data()) << "and are not copied";
  EXPECT_EQ(faults.counts().duplicates + faults.counts().late + faults.counts().malformed, 0u);
}

}  // namespace
}  // namespace playlake::sim
