// Alerts: a failed run, and the first successful run after a failed one, are
// POSTed as JSON to the project's webhook (alerts.webhook_env in
// playlake.yml). The body carries a `text` line, so chat webhooks that show
// `text` (Slack's, Mattermost's, …) display it as it is, and the whole run
// record for anything that reads JSON. Format: docs/project.md.
//
// Thread safety: the functions keep no state and may run on any thread.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/result.h"
#include "pipeline/run.h"

namespace playlake::pipeline {

// The status ("success", "failed", …) of the last run recorded in
// `history_file` (target/runs.jsonl); empty when there is none.
std::string LastRunStatus(const std::filesystem::path& history_file);

// The alert `run` calls for after a run whose status was `previous_status`:
// "run_failed" for a failed run, "run_recovered" for a success after a
// failure, none otherwise (a success after a success is news to nobody).
std::optional<nlohmann::json> AlertFor(const std::string& project, const RunRecord& run,
                                       const std::string& previous_status);

// POSTs `body` to `url` (http or https), trying three times with a backoff
// (1 s, then 2 s) when the server cannot be reached or answers 5xx.
// Errors: kIo naming the URL's host (never the whole URL: webhook URLs hold
// their secret in the path) and what went wrong.
Status PostWebhook(const std::string& url, const nlohmann::json& body);

}  // namespace playlake::pipeline
