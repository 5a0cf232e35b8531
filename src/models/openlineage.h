// OpenLineage RunEvents for every node a run builds, appended as one JSON
// object per line (NDJSON) to a file, typically target/openlineage.jsonl.
//
// Each node gets a START event when it begins and a COMPLETE or FAIL event
// when it ends, with the same run.runId (a UUID). job.namespace is the
// configured namespace (the project name by default) and job.name the node's
// unique_id; inputs are the datasets the node reads, outputs the relation it
// writes, each named "<schema>.<table>" in the warehouse's namespace
// ("duckdb://<file>"). POSTing to an HTTP endpoint is not implemented.
//
// Thread safety: Emit may be called from several workers at once; lines are
// never interleaved.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.h"

namespace playlake::models {

struct LineageDataset {
  std::string namespace_name;
  std::string name;
};

struct LineageEvent {
  std::string event_type;  // START, COMPLETE, FAIL
  std::string event_time;  // ISO 8601 UTC
  std::string run_id;
  std::string job_namespace;
  std::string job_name;
  std::vector<LineageDataset> inputs;
  std::vector<LineageDataset> outputs;
  std::string error_message;  // FAIL only
};

class OpenLineageWriter {
 public:
  // An empty path disables the writer (Emit does nothing).
  explicit OpenLineageWriter(std::filesystem::path file) : file_(std::move(file)) {}
  Status Emit(const LineageEvent& event);

 private:
  std::filesystem::path file_;
  std::mutex mutex_;
};

// The JSON text of one event (one line, no newline).
std::string LineageEventJson(const LineageEvent& event);

}  // namespace playlake::models
