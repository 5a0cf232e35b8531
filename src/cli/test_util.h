// Helpers of the command tests: Sparkify days as inputs, the dashboard's count.
#pragma once

#include <filesystem>
#include <string>

namespace playlake::cli_test {

// A real Sparkify day of events, e.g. "2018-11-01".
std::filesystem::path SparkifyDay(const std::string& day);

// Puts Sparkify day `day` among the inputs of the project `playlake init` made at `project`.
void AddSparkifyDay(const std::filesystem::path& project, const std::string& day);

// The plays /api/overview of the dashboard on `port` answers; -1 when it does not answer.
long long OverviewPlays(int port);

// The plays silver holds in `project`, by `playlake sql`.
long long SilverPlays(const std::filesystem::path& project);

}  // namespace playlake::cli_test
