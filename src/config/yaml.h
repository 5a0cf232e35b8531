// Reading YAML that a user wrote (playlake.yml, dbt_project.yml, schema .yml
// files) without ever throwing: yaml-cpp reports problems as exceptions, and
// accepts some documents YAML forbids. This adapter turns both into
// Error{kConfig} values naming the file and the line.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <utility>

#include "common/result.h"

namespace playlake::config {

// Parses `text` (the contents of `file`, named in errors). Beyond yaml-cpp's
// own checks it refuses a key given twice in one mapping (yaml-cpp keeps the
// first silently) and a quoted value whose closing quote never comes (yaml-cpp
// takes the rest of the file into it). Errors: kConfig, "file:line: what".
Result<YAML::Node> ParseYaml(const std::string& text, const std::string& file);

// The text of the file `path`. A path that is missing, a folder or
// unreadable is Error{kConfig} naming it.
Result<std::string> ReadYamlText(const std::string& path);

// ReadYamlText, then ParseYaml.
Result<YAML::Node> LoadYamlFile(const std::string& path);

// The 1-based line of `node` in its file (0 when unknown).
int LineOf(const YAML::Node& node);

// `e`, thrown while reading `file`, as Error{kConfig} naming the file and line.
Error YamlError(const std::string& file, const YAML::Exception& e);

// Runs `read` (code walking a parsed document) and turns any exception
// yaml-cpp throws there — a list where text was expected, a key of the wrong
// shape — into Error{kConfig} naming `file` and the line.
template <typename Read>
auto GuardYaml(const std::string& file, Read&& read) -> decltype(read()) {
  try {
    return std::forward<Read>(read)();
  } catch (const YAML::Exception& e) {
    return tl::unexpected(YamlError(file, e));
  }
}

}  // namespace playlake::config
