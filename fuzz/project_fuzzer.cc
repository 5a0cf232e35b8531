// playlake.yml through the project file parser (YAML, keys, types, ranges,
// sources, the schedule's cron). Input: the file's text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/project.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace playlake;
  auto config = config::ParseProject(std::string(fuzz::AsText(data, size)), "/fuzz/project");
  if (!config) {
    if (config.error().code != ErrorCode::kConfig)
      fuzz::Violated("a bad project file that is not kConfig");
    if (config.error().message.find("playlake.yml") == std::string::npos) {
      fuzz::Violated("an error that does not name the file");
    }
    return 0;
  }
  if (config->threads < 0 || config->threads > 1024) fuzz::Violated("threads out of range");
  if (config->server.port < 1 || config->server.port > 65535)
    fuzz::Violated("server.port out of range");
  for (const auto& source : config->sources) {
    // Kafka and Spotify Web API sources read no files.
    if (source.name.empty() || (source.paths.empty() && !source.kafka && !source.spotify_api))
      fuzz::Violated("a source without a name or a path");
  }
  return 0;
}
