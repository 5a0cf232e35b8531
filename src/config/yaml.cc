#include "config/yaml.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

namespace playlake::config {
namespace {

tl::unexpected<Error> Bad(const std::string& file, int line, const std::string& what) {
  if (line <= 0) return Fail(ErrorCode::kConfig, fmt::format("{}: {}", file, what));
  return Fail(ErrorCode::kConfig, fmt::format("{}:{}: {}", file, line, what));
}

// True when the quoted scalar opening at `text[open]` has its closing quote.
bool QuoteCloses(const std::string& text, std::size_t open) {
  const char quote = text[open];
  for (std::size_t i = open + 1; i < text.size(); ++i) {
    if (quote == '"' && text[i] == '\\') {
      ++i;  // an escape: the next character is not a closing quote
    } else if (text[i] == quote) {
      if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
        ++i;  // '' is a quote inside a single-quoted scalar
      } else {
        return true;
      }
    }
  }
  return false;
}

// Checks every node under `node`: no key twice in a mapping, every quote closed.
Status Check(const YAML::Node& node, const std::string& text, const std::string& file) {
  if (node.IsScalar()) {
    const auto pos = node.Mark().pos;
    if (pos >= 0 && static_cast<std::size_t>(pos) < text.size() &&
        (text[pos] == '"' || text[pos] == '\'') && !QuoteCloses(text, pos)) {
      return Bad(file, LineOf(node),
                 fmt::format("the quote ({}) opened here is never closed", text[pos]));
    }
    return {};
  }
  if (node.IsSequence()) {
    for (const YAML::Node& item : node) {
      if (auto s = Check(item, text, file); !s) return s;
    }
    return {};
  }
  if (!node.IsMap()) return {};
  std::map<std::string, int> seen;  // scalar key -> line of its first use
  for (const auto& entry : node) {
    if (auto s = Check(entry.first, text, file); !s) return s;
    if (entry.first.IsScalar()) {
      const auto [first, inserted] = seen.emplace(entry.first.Scalar(), LineOf(entry.first));
      if (!inserted) {
        return Bad(file, LineOf(entry.first),
                   fmt::format("key '{}' is given twice (first on line {}); keep one",
                               entry.first.Scalar(), first->second));
      }
    }
    if (auto s = Check(entry.second, text, file); !s) return s;
  }
  return {};
}

}  // namespace

int LineOf(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

Error YamlError(const std::string& file, const YAML::Exception& e) {
  const std::string what = e.msg.empty() ? std::string(e.what()) : e.msg;
  const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
  return Bad(file, line, "invalid YAML: " + what).value();
}

Result<YAML::Node> ParseYaml(const std::string& text, const std::string& file) {
  YAML::Node doc;
  try {
    doc = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return tl::unexpected(YamlError(file, e));
  }
  if (auto s = Check(doc, text, file); !s) return tl::unexpected(s.error());
  return doc;
}

Result<std::string> ReadYamlText(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Fail(ErrorCode::kConfig, fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  }
  if (!S_ISREG(st.st_mode)) {
    return Fail(ErrorCode::kConfig, fmt::format("{} is not a file (a folder?)", path));
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in || in.bad()) return Fail(ErrorCode::kConfig, fmt::format("cannot read {}", path));
  return text.str();
}

Result<YAML::Node> LoadYamlFile(const std::string& path) {
  auto text = ReadYamlText(path);
  if (!text) return tl::unexpected(text.error());
  return ParseYaml(*text, path);
}

}  // namespace playlake::config
