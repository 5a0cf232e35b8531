// What a run did, node by node: the content of target/run_results.json.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"

namespace playlake::models {

// dbt's statuses: models, seeds and snapshots end in success, error or
// skipped; tests in pass, fail, warn, error or skipped.
enum class NodeStatus { kSuccess, kError, kSkipped, kPass, kFail, kWarn };
const char* NodeStatusName(NodeStatus status);

struct NodeResult {
  std::string unique_id;
  NodeStatus status = NodeStatus::kSkipped;
  std::string message;                           // adapter response, failure count or the error
  ErrorCode error_code = ErrorCode::kWarehouse;  // why, when the status is error
  std::string relation;                          // where the node was built ("main"."x"), if any
  std::string compiled_code;                     // the SQL that ran
  std::string started_at;                        // ISO 8601 UTC; empty when skipped
  std::string completed_at;
  double execution_time = 0;   // seconds
  int64_t rows_affected = -1;  // -1: not applicable
  int64_t failures = -1;       // tests: failing rows; -1 for other nodes
  int thread_id = -1;          // the worker that ran it
  bool kept = false;           // not run: its inputs are those of its last success
};

struct RunResults {
  std::string command;        // build, test, snapshot, run, seed
  std::string invocation_id;  // UUID
  std::string generated_at;
  double elapsed_time = 0;
  std::vector<NodeResult> results;  // in completion order

  int Count(NodeStatus status) const;
  // Anything that should make the command exit non-zero: a model, seed or
  // snapshot error, a test error, or a test failure at severity error.
  bool HasErrors() const { return Count(NodeStatus::kError) > 0; }
  bool HasTestFailures() const { return Count(NodeStatus::kFail) > 0; }
  // Why the run failed, for the exit status: the cause of the first node in
  // error (a full disk stays a full disk), else kTestFailed.
  ErrorCode FailureCode() const;
  const NodeResult* Find(const std::string& unique_id) const;
};

}  // namespace playlake::models
