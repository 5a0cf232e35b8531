// Helpers of the command tests: Sparkify days as inputs, the dashboard's count.
#pragma once

#include <filesystem>
#include <string>

namespace playlake::cli_test {

// A real Sparkify day of events, e.g. "2018-11-01".
std::filesystem::path SparkifyDay(const std::string& day);

// Puts Sparkify day `day` among the inputs of the project `playlake init` made at `project`.
void AddSparkifyDay(const std::filesystem::path& project, const std::string& day);

// Writes `text` to `file`, creating its folder.
void WriteText(const std::filesystem::path& file, const std::string& text);

// A project at `dir` (name `t`, lake `lake`) with one real Sparkify day as
// input and a model project (mymodels/) of one model, `model` = `model_sql`,
// described by `schema_yml`.
void WriteModelProject(const std::filesystem::path& dir, const std::string& model,
                       const std::string& model_sql, const std::string& schema_yml,
                       const std::string& lake = "lake");

// The plays /api/overview of the dashboard on `port` answers; -1 when it does not answer.
long long OverviewPlays(int port);

// The plays silver holds in `project`, by `playlake sql`.
long long SilverPlays(const std::filesystem::path& project);

}  // namespace playlake::cli_test
