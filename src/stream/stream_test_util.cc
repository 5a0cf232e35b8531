#include "stream/stream_test_util.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "lake/lake.h"
#include "testing/testing.h"

namespace playlake::stream_test {

lake::LakeOptions ScratchLake() {
  lake::LakeOptions options;
  options.durable = false;
  return options;
}

void WriteKafkaProject(const std::filesystem::path& dir, const std::string& brokers,
                       const std::string& topic, const std::string& group, int flush_interval_ms) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "playlake.yml") << fmt::format(
      "name: t\n"
      "lake: lake\n"
      "threads: 1\n"
      "sources:\n"
      "  - name: live\n"
      "    format: playlake\n"
      "    kafka:\n"
      "      brokers: {}\n"
      "      topics: {}\n"
      "      group: {}\n"
      "      flush_interval_ms: {}\n"
      "      properties:\n"
      "        fetch.wait.max.ms: 5\n"
      "        session.timeout.ms: 6000\n"
      "        heartbeat.interval.ms: 500\n",
      brokers, topic, group, flush_interval_ms);
}

void AddKafkaKey(const std::filesystem::path& project, const std::string& line) {
  std::string yml = testing::ReadFile(project / "playlake.yml");
  yml.insert(yml.find("      properties:"), "      " + line + "\n");
  std::ofstream(project / "playlake.yml") << yml;
}

Ranges CommittedRanges(const std::filesystem::path& lake_root, const std::string& layer) {
  auto lake = lake::Lake::OpenLocal(lake_root, ScratchLake());
  return lake ? CommittedRanges(**lake, layer) : Ranges();
}

Ranges CommittedRanges(const lake::Lake& lake, const std::string& layer) {
  Ranges ranges;
  auto entries = lake.Entries(layer);
  if (!entries) return ranges;
  for (const auto& e : *entries) {
    if (e.kafka)
      ranges[e.kafka->partition].emplace_back(e.kafka->first_offset, e.kafka->last_offset);
  }
  for (auto& [p, r] : ranges) std::sort(r.begin(), r.end());
  return ranges;
}

std::string CheckExactlyOnce(const Ranges& ranges, const std::map<int, std::int64_t>& ends) {
  std::string problems;
  for (const auto& [partition, end] : ends) {
    std::int64_t next = 0;
    const auto it = ranges.find(partition);
    if (it != ranges.end()) {
      for (const auto& [first, last] : it->second) {
        if (first != next) {
          problems += fmt::format("partition {}: range {}..{} after offset {}; ", partition, first,
                                  last, next - 1);
        }
        next = last + 1;
      }
    }
    if (next != end) {
      problems +=
          fmt::format("partition {}: the lake ends at {}, Kafka at {}; ", partition, next, end);
    }
  }
  return problems;
}

bool WaitForOffsets(const std::filesystem::path& lake, const std::map<int, std::int64_t>& ends,
                    int seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    const Ranges ranges = CommittedRanges(lake, "silver");
    bool done = true;
    for (const auto& [partition, end] : ends) {
      const auto it = ranges.find(partition);
      const std::int64_t have =
          it == ranges.end() || it->second.empty() ? 0 : it->second.back().second + 1;
      if (have < end) done = false;
    }
    if (done) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

std::map<int, std::int64_t> EndOffsets(const std::string& brokers, const std::string& topic) {
  // The last message of each partition: its offset + 1 is the end.
  const auto out =
      testing::RunShell(fmt::format("kcat -C -b {} -t {} -e -q -f '%p %o\\n'", brokers, topic));
  std::map<int, std::int64_t> ends;
  std::istringstream in(out.stdout_text);
  int partition = 0;
  std::int64_t offset = 0;
  while (in >> partition >> offset) ends[partition] = std::max(ends[partition], offset + 1);
  return ends;
}

int ChildPid(const std::string& marker) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = testing::ReadFile(entry.path() / "cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    std::ifstream stat(entry.path() / "stat");
    std::string pid, comm, state;
    int parent = 0;
    stat >> pid >> comm >> state >> parent;
    if (parent == ::getpid() && cmdline.find(marker) != std::string::npos) return std::stoi(name);
  }
  return 0;
}

std::vector<std::string> SqlRows(const std::filesystem::path& project, const std::string& query) {
  const auto out = testing::RunPlaylake(
      fmt::format("sql --project {} --format csv \"{}\"", project.string(), query));
  EXPECT_EQ(out.exit_code, 0) << out.stderr_text;
  std::vector<std::string> rows;
  std::istringstream in(out.stdout_text);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) rows.push_back(line);
  return rows;
}

std::string Only(const std::vector<std::string>& rows) { return rows.size() == 1 ? rows[0] : "?"; }

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

}  // namespace playlake::stream_test
