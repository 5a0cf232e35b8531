// The pipeline page and /metrics, read from the files a run leaves in the
// project's target/ folder (manifest.json, run_results.json, runs.jsonl,
// pipeline_status.json), not from gold.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "common/result.h"

namespace playlake::serve {

// The pipeline page's answer: recent runs, test results, freshness,
// quarantine, drift, lineage, and `schedule` (null when it is empty).
// Errors: kData when manifest.json, run_results.json or pipeline_status.json
// is not JSON (a missing file reads as null).
Result<nlohmann::json> PipelinePage(const std::filesystem::path& target_dir,
                                    const nlohmann::json& schedule);

// Prometheus text for the pipeline, from the files in `target_dir`: runs by
// status, time of the last successful run, rows per table and layer,
// quarantined records by reason.
std::string PipelineMetrics(const std::filesystem::path& target_dir);

// The JSON in `file`; null when the file does not exist. Errors: kData.
Result<nlohmann::json> ReadJsonFile(const std::filesystem::path& file);

// The newest `limit` runs of runs.jsonl (one JSON object per line, oldest
// first), newest first; lines that are not JSON are skipped.
nlohmann::json Runs(const std::filesystem::path& file, std::size_t limit);

}  // namespace playlake::serve
