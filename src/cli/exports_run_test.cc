// `playlake run` on a project with a Spotify export source: drift reaches the
// run record and the Pipeline page's status file; a new field is a warning.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/test_util.h"
#include "testing/testing.h"

namespace playlake {
namespace {

using testing::ReadFile;
using testing::RunPlaylake;
using testing::TempDir;

// One row of a 2025 extended-history file with a field no export had before.
const char* kExportWithNewField = R"([
  {
    "ts": "2018-11-01T21:05:00Z",
    "platform": "cast",
    "ms_played": 180000,
    "conn_country": "SE",
    "ip_addr": "203.0.113.77",
    "video_id": "v123",
    "master_metadata_track_name": "Forever",
    "master_metadata_album_artist_name": "Labrinth",
    "master_metadata_album_album_name": "Euphoria",
    "spotify_track_uri": "spotify:track:6potEImiklXkwD9qFzpu15",
    "reason_start": "clickrow",
    "reason_end": "trackdone",
    "shuffle": false,
    "skipped": false,
    "offline": false,
    "offline_timestamp": 1541106000,
    "incognito_mode": false
  }
])";

TEST(RunCommand, DriftOfAnExportReachesTheRunRecordAndThePipelinePage) {
  TempDir dir;
  const auto project = dir / "radio";
  ASSERT_EQ(RunPlaylake("init " + project.string()).exit_code, 0);
  cli_test::AddSparkifyDay(project, "2018-11-01");
  std::filesystem::create_directories(project / "data" / "spotify");
  std::ofstream(project / "data" / "spotify" / "Streaming_History_Audio_2025.json")
      << kExportWithNewField;
  std::ofstream(project / "playlake.yml")
      << "sources:\n"
         "  - {name: events, path: data/events}\n"
         "  - {name: my_spotify, path: data/spotify, user: lisa, timezone: Europe/Stockholm}\n";

  const auto run = RunPlaylake("run --project " + project.string());
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("field 'video_id' never seen before in source 'my_spotify'"),
            std::string::npos)
      << run.stderr_text;

  std::ifstream history(project / "target" / "runs.jsonl");
  std::string last;
  for (std::string line; std::getline(history, line);) last = line;
  const auto record = nlohmann::json::parse(last);
  EXPECT_NE(record["step_details"][0]["detail"].get<std::string>().find(
                "drift: 1 unknown field(s) (new: video_id), 0 unknown value(s)"),
            std::string::npos)
      << last;

  const auto status = nlohmann::json::parse(ReadFile(project / "target" / "pipeline_status.json"));
  bool found = false;
  for (const auto& row : status["drift"]) {
    if (row["name"] == "video_id") {
      found = true;
      EXPECT_EQ(row["source"], "my_spotify");
      EXPECT_EQ(row["kind"], "unknown field");
      EXPECT_TRUE(row["first_seen"].get<bool>());
      EXPECT_EQ(row["examples"], "\"v123\"");
      EXPECT_EQ(row["contract_version"], 2);
    }
  }
  EXPECT_TRUE(found) << status.dump(1);
}

}  // namespace
}  // namespace playlake
