#include "cli/test_util.h"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "testing/testing.h"

namespace playlake::cli_test {

std::filesystem::path SparkifyDay(const std::string& day) {
  return testing::RealData() / "sparkify" / "log_data" / "2018" / "11" / (day + "-events.json");
}

void AddSparkifyDay(const std::filesystem::path& project, const std::string& day) {
  std::filesystem::copy_file(SparkifyDay(day),
                             project / "data" / "events" / (day + "-events.json"));
}

long long OverviewPlays(int port) {
  httplib::Client client("127.0.0.1", port);
  auto res = client.Get("/api/overview");
  if (!res || res->status != 200) return -1;
  return nlohmann::json::parse(res->body)["kpis"]["plays"].get<long long>();
}

long long SilverPlays(const std::filesystem::path& project) {
  const auto silver = testing::RunPlaylake(
      "sql \"SELECT count(*) FROM plays\" --format csv --project " + project.string());
  const auto line = silver.stdout_text.find('\n');
  return line == std::string::npos ? -1 : std::stoll(silver.stdout_text.substr(line + 1));
}

}  // namespace playlake::cli_test
