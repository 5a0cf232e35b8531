// The Sparkify set (songplays, users, songs, artists, time) on the real
// eventsim logs and Million Song Dataset files in ../shared/realdata/sparkify,
// built by `playlake run` and checked against counts the test computes from
// the raw files itself (its own JSON reading and its own UTF-8 repair).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <tuple>

#include "pipeline/pipeline_test_util.h"
#include "testing/testing.h"

namespace playlake::pipeline {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::RunPlaylake;
using testutil::WarehouseReader;

// Decodes UTF-8 into code points; false when `text` is not valid UTF-8.
bool DecodeUtf8(const std::string& text, std::vector<std::uint32_t>& code_points) {
  code_points.clear();
  for (size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    int extra = 0;
    std::uint32_t cp = 0;
    if (byte < 0x80) { cp = byte; }
    else if ((byte & 0xE0) == 0xC0) { cp = byte & 0x1F; extra = 1; }
    else if ((byte & 0xF0) == 0xE0) { cp = byte & 0x0F; extra = 2; }
    else if ((byte & 0xF8) == 0xF0) { cp = byte & 0x07; extra = 3; }
    else { return false; }
    for (int k = 1; k <= extra; ++k) {
      if (i + k >= text.size()) return false;
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (next & 0x3F);
    }
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000)) return false;
    code_points.push_back(cp);
    i += extra + 1;
  }
  return true;
}

// Undoes UTF-8 that was decoded as Latin-1 and encoded again, as often as it
// was done: every code point fits in a byte and those bytes are valid UTF-8
// with at least one multi-byte character. Genuine Latin-1 text ("Café") stays.
std::string RepairUtf8(std::string text) {
  for (int round = 0; round < 4; ++round) {
    std::vector<std::uint32_t> code_points;
    if (!DecodeUtf8(text, code_points)) return text;
    std::string bytes;
    bool high = false;
    for (const auto cp : code_points) {
      if (cp > 0xFF) return text;
      high |= cp >= 0x80;
      bytes.push_back(static_cast<char>(cp));
    }
    std::vector<std::uint32_t> decoded;
    if (!high || !DecodeUtf8(bytes, decoded)) return text;
    text = bytes;
  }
  return text;
}

std::string Trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

std::string Clean(const json& value) { return value.is_string() ? Trim(RepairUtf8(value.get<std::string>())) : ""; }

// What the test knows about the raw files, computed without Playlake.
struct RawSparkify {
  long long next_song_records = 0;
  std::set<std::tuple<std::string, long long, long long, long long>> play_keys;  // user, session, item, ts
  std::set<long long> play_starts;                                               // ts of NextSong records
  std::set<std::string> users;                                                   // logged-in userIds
  std::set<std::string> song_ids, artist_ids;
  // (title, artist name, duration in ms) of every song file, repaired and trimmed.
  std::set<std::tuple<std::string, std::string, long long>> song_names;
  long long plays_matching_a_song = 0;
};

std::vector<fs::path> FilesUnder(const fs::path& root) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  }
  return files;
}

RawSparkify ReadRaw(const fs::path& sparkify) {
  RawSparkify raw;
  for (const auto& file : FilesUnder(sparkify / "song_data")) {
    std::ifstream in(file);
    const json song = json::parse(in, nullptr, false);
    if (song.is_discarded() || !song.is_object()) {
      ADD_FAILURE() << "unreadable song file " << file;
      continue;
    }
    raw.song_ids.insert(song["song_id"].get<std::string>());
    raw.artist_ids.insert(song["artist_id"].get<std::string>());
    raw.song_names.emplace(Clean(song["title"]), Clean(song["artist_name"]),
                           std::llround(song["duration"].get<double>() * 1000));
  }
  std::vector<json> plays;
  for (const auto& file : FilesUnder(sparkify / "log_data")) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
      if (Trim(line).empty()) continue;
      const json record = json::parse(line, nullptr, false);
      if (record.is_discarded()) {
        ADD_FAILURE() << "unreadable log line in " << file;
        continue;
      }
      const std::string user = record.value("userId", "");
      if (!user.empty()) raw.users.insert(user);
      if (record.value("page", "") != "NextSong") continue;
      ++raw.next_song_records;
      raw.play_keys.emplace(user, record["sessionId"].get<long long>(), record["itemInSession"].get<long long>(),
                            record["ts"].get<long long>());
      raw.play_starts.insert(record["ts"].get<long long>());
      const long long length_ms = std::llround(record["length"].get<double>() * 1000);
      const std::string title = Clean(record["song"]), artist = Clean(record["artist"]);
      // "To the ms": the two durations may round to neighbouring milliseconds.
      for (long long ms = length_ms - 1; ms <= length_ms + 1; ++ms) {
        if (raw.song_names.count({title, artist, ms})) {
          ++raw.plays_matching_a_song;
          break;
        }
      }
    }
  }
  return raw;
}

class SparkifyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    const fs::path sparkify = testing::RealData() / "sparkify";
    ASSERT_TRUE(fs::exists(sparkify / "log_data")) << sparkify << " is missing";
    testutil::WriteTextFile(dir_->path() / "playlake.yml",
                            "name: sparkify\nsources:\n"
                            "  - name: log_data\n    format: eventsim\n    path: " + (sparkify / "log_data").string() +
                            "\n  - name: song_data\n    format: msd-song\n    path: " + (sparkify / "song_data").string() +
                            "\n");
    run_ = new testing::CommandOutput(RunPlaylake("run --project " + dir_->path().string()));
    raw_ = new RawSparkify(ReadRaw(sparkify));
  }

  static void TearDownTestSuite() {
    delete raw_;
    delete run_;
    delete dir_;
  }

  void SetUp() override {
    ASSERT_EQ(run_->exit_code, 0) << run_->stderr_text;
    db_ = std::make_unique<WarehouseReader>(dir_->path() / "warehouse.duckdb");
    ASSERT_TRUE(db_->ok());
  }

  static testing::TempDir* dir_;
  static testing::CommandOutput* run_;
  static RawSparkify* raw_;
  std::unique_ptr<WarehouseReader> db_;
};

testing::TempDir* SparkifyTest::dir_ = nullptr;
testing::CommandOutput* SparkifyTest::run_ = nullptr;
RawSparkify* SparkifyTest::raw_ = nullptr;

TEST_F(SparkifyTest, RunPassesEveryDataTest) {
  const json results = json::parse(testing::ReadFile(dir_->path() / "target" / "run_results.json"), nullptr, false);
  ASSERT_FALSE(results.is_discarded());
  int tests = 0, sparkify_tests = 0;
  for (const auto& r : results["results"]) {
    const std::string id = r.value("unique_id", "");
    if (id.rfind("test.", 0) != 0) continue;
    ++tests;
    EXPECT_EQ(r.value("status", ""), "pass") << id << ": " << r.value("message", "");
    for (const char* table : {"songplays", "songs", "artists", "users", "time"}) {
      sparkify_tests += id.find(std::string("_") + table + "_") != std::string::npos;
    }
  }
  EXPECT_GT(tests, 20);
  EXPECT_GE(sparkify_tests, 5) << "the Sparkify tables' tests ran";
}

TEST_F(SparkifyTest, SongplaysHasOneRowPerNextSongRecord) {
  ASSERT_GT(raw_->next_song_records, 1000);
  EXPECT_EQ(static_cast<long long>(raw_->play_keys.size()), raw_->next_song_records)
      << "the raw logs repeat a play; songplays counts it once";
  EXPECT_EQ(db_->Int("SELECT count(*) FROM songplays"), raw_->next_song_records);
  EXPECT_EQ(db_->Int("SELECT count(DISTINCT songplay_id) FROM songplays"), raw_->next_song_records);
}

TEST_F(SparkifyTest, DimensionRowCountsMatchTheRawFiles) {
  EXPECT_EQ(db_->Int("SELECT count(*) FROM songs"), static_cast<long long>(raw_->song_ids.size()));
  EXPECT_EQ(db_->Int("SELECT count(*) FROM artists"), static_cast<long long>(raw_->artist_ids.size()));
  EXPECT_EQ(db_->Int("SELECT count(*) FROM users"), static_cast<long long>(raw_->users.size()));
  EXPECT_EQ(db_->Int("SELECT count(*) FROM time"), static_cast<long long>(raw_->play_starts.size()));
  // time holds exactly the play starts (epoch ms).
  std::set<long long> starts;
  for (const auto& row : db_->Query("SELECT epoch_ms(start_time) FROM time")) starts.insert(std::stoll(row[0]));
  EXPECT_EQ(starts, raw_->play_starts);
  // Every user has a level, and it is the level of a raw record of theirs.
  EXPECT_EQ(db_->Int("SELECT count(*) FROM users WHERE level NOT IN ('free', 'paid') OR level IS NULL"), 0);
}

TEST_F(SparkifyTest, SongplaysMatchSongsByTitleArtistAndDuration) {
  ASSERT_GT(raw_->plays_matching_a_song, 0);
  EXPECT_EQ(db_->Int("SELECT count(*) FROM songplays WHERE song_id IS NOT NULL"), raw_->plays_matching_a_song);
  EXPECT_EQ(db_->Int("SELECT count(*) FROM songplays WHERE song_id IS NOT NULL AND artist_id IS NULL"), 0);
  // A matched play names the song's own artist.
  EXPECT_EQ(db_->Int("SELECT count(*) FROM songplays sp JOIN songs s USING (song_id) WHERE sp.artist_id <> s.artist_id"),
            0);
}

TEST_F(SparkifyTest, RepairedNamesReachGold) {
  // Double-encoded names in the raw logs (e.g. "BjÃ\u0083Â¶rk") are repaired in gold.
  EXPECT_EQ(db_->Int("SELECT count(*) FROM dim_tracks WHERE artist_name LIKE '%Ã%' OR track_name LIKE '%Ã%'"), 0);
  EXPECT_EQ(db_->Int("SELECT count(*) FROM dim_artists WHERE artist_name LIKE '%Ã%'"), 0);
  EXPECT_GT(db_->Int("SELECT count(*) FROM dim_artists WHERE artist_name = 'Bj\xC3\xB6rk'"), 0);
  EXPECT_EQ(RepairUtf8("Bj\xC3\x83\xC2\x83\xC3\x82\xC2\xB6rk"), "Bj\xC3\xB6rk");
  EXPECT_EQ(RepairUtf8("Caf\xC3\xA9"), "Caf\xC3\xA9");
}

}  // namespace
}  // namespace playlake::pipeline
