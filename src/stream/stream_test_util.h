// Helpers of the stream tests: a project whose Kafka source points at a test
// broker, and what the lake holds of each partition.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "lake/lake.h"

namespace playlake::stream_test {

// Options of a lake for tests: no fsync.
lake::LakeOptions ScratchLake();

// Writes `dir`/playlake.yml: lake `lake`, one Kafka source `live` (format
// playlake) reading `topic` from `brokers` as consumer group `group`, with
// the low-latency settings the mock broker wants.
void WriteKafkaProject(const std::filesystem::path& dir, const std::string& brokers,
                       const std::string& topic, const std::string& group,
                       int flush_interval_ms = 200);

// Adds `line` (indented as a key of `kafka:`) to the Kafka source of a
// project WriteKafkaProject wrote.
void AddKafkaKey(const std::filesystem::path& project, const std::string& line);

// Offset ranges of a partition's committed silver (or bronze) stream batches,
// in offset order.
using Ranges = std::map<int, std::vector<std::pair<std::int64_t, std::int64_t>>>;
Ranges CommittedRanges(const std::filesystem::path& lake, const std::string& layer);
Ranges CommittedRanges(const lake::Lake& lake, const std::string& layer);

// Whether `ranges` cover 0..end-1 of each partition in `ends`, each offset
// exactly once (no gap, no overlap); else a description of what is wrong.
std::string CheckExactlyOnce(const Ranges& ranges, const std::map<int, std::int64_t>& ends);

// Waits (up to `seconds`) until the lake's silver covers every partition of
// `ends` to its end. Returns whether it did.
bool WaitForOffsets(const std::filesystem::path& lake, const std::map<int, std::int64_t>& ends,
                    int seconds);

// The end offset (high watermark) of each partition of `topic`, read with kcat.
std::map<int, std::int64_t> EndOffsets(const std::string& brokers, const std::string& topic);

// The PID of this process's child whose command line contains `marker`; 0
// when there is none (to stop and continue a worker started by Background).
int ChildPid(const std::string& marker);

// Rows of `playlake sql --format csv QUERY` in `project`, without the header.
std::vector<std::string> SqlRows(const std::filesystem::path& project, const std::string& query);

// The one row of `rows`; "?" unless there is exactly one.
std::string Only(const std::vector<std::string>& rows);

// The non-empty lines of `text`.
std::vector<std::string> Lines(const std::string& text);

}  // namespace playlake::stream_test
