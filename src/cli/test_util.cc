#include "cli/test_util.h"

#include <httplib.h>

#include <fstream>

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

void WriteText(const std::filesystem::path& file, const std::string& text) {
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

void WriteModelProject(const std::filesystem::path& dir, const std::string& model,
                       const std::string& model_sql, const std::string& schema_yml,
                       const std::string& lake) {
  WriteText(dir / "playlake.yml", "name: t\nlake: " + lake +
                                      "\nmodels: mymodels\nsources:\n"
                                      "  - {name: events, format: eventsim, path: data}\n");
  std::filesystem::create_directories(dir / "data");
  std::filesystem::copy_file(SparkifyDay("2018-11-01"), dir / "data" / "2018-11-01-events.json");
  WriteText(dir / "mymodels" / "dbt_project.yml", "name: t\nmodel-paths: [models]\n");
  WriteText(dir / "mymodels" / "models" / (model + ".sql"), model_sql);
  WriteText(dir / "mymodels" / "models" / "schema.yml", schema_yml);
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
