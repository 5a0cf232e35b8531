// The batch DAG of a project: ingest new inputs of the configured sources into
// bronze and silver, then build the gold layer (models, snapshots and data
// tests in DAG order, as `dbt build` does), then publish the pipeline status
// the dashboard shows. Each run is recorded in target/runs.jsonl.
//
// Errors: only when the run cannot be recorded; a failed step is a run with
// status "failed" (RunRecord::error says why).
#pragma once

#include "config/project.h"
#include "pipeline/run.h"

namespace playlake::pipeline {

struct BatchOptions {
  bool full_refresh = false;  // rebuild incremental models from scratch
  bool process_ends_after = false;  // see GoldBuildOptions
};

Result<RunRecord> RunBatch(const config::ProjectConfig& project, const BatchOptions& options);

}  // namespace playlake::pipeline
