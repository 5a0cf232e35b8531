// The .yml files beside models, seeds and snapshots: descriptions, columns,
// generic tests (unique, not_null, accepted_values, relationships) and sources.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "config/yaml.h"
#include "models/loader.h"

namespace playlake::models {
namespace fs = std::filesystem;
namespace {

tl::unexpected<Error> Bad(const std::string& file, const YAML::Node& at,
                          const std::string& message) {
  return Fail(ErrorCode::kConfig, fmt::format("{}:{}: {}", file, LineOf(at), message));
}

Status CheckKeys(const YAML::Node& map, const std::set<std::string>& allowed,
                 const std::string& file, const std::string& what) {
  if (!map.IsMap()) return Bad(file, map, fmt::format("{} must be a map", what));
  for (const auto& kv : map) {
    if (!allowed.count(kv.first.Scalar())) {
      std::string supported;
      for (const std::string& k : allowed) supported += (supported.empty() ? "" : ", ") + k;
      return Bad(file, kv.first,
                 fmt::format("key '{}' is not supported in {} (supported: {})", kv.first.Scalar(),
                             what, supported));
    }
  }
  return {};
}

std::string Str(const YAML::Node& node) {
  return node && node.IsScalar() ? node.Scalar() : std::string();
}

// Test names follow dbt's pattern, made safe as identifiers.
std::string Sanitize(const std::string& text) {
  std::string out;
  for (char c : text) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

Result<std::vector<ColumnDoc>> ReadColumns(const YAML::Node& columns, const std::string& file) {
  std::vector<ColumnDoc> out;
  if (!columns) return out;
  if (!columns.IsSequence()) return Bad(file, columns, "columns: must be a list");
  for (const YAML::Node& column : columns) {
    if (auto s = CheckKeys(
            column, {"name", "description", "data_type", "tests", "data_tests", "meta", "quote"},
            file, "a column");
        !s) {
      return tl::unexpected(s.error());
    }
    if (Str(column["name"]).empty()) return Bad(file, column, "a column needs a name:");
    out.push_back({Str(column["name"]), Str(column["description"])});
  }
  return out;
}

}  // namespace

Status ProjectLoader::LoadYmlFiles() {
  std::vector<std::string> bases = model_paths_;
  bases.insert(bases.end(), seed_paths_.begin(), seed_paths_.end());
  bases.insert(bases.end(), snapshot_paths_.begin(), snapshot_paths_.end());
  bases.insert(bases.end(), analysis_paths_.begin(), analysis_paths_.end());
  for (const std::string& base : bases) {
    const fs::path dir = project_.root_ / base;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(dir, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const auto ext = it->path().extension();
      if (it->is_regular_file() && (ext == ".yml" || ext == ".yaml")) files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
      if (auto s = config::GuardYaml(file.string(), [&] { return LoadYml(file); }); !s) return s;
    }
  }
  return {};
}

Status ProjectLoader::LoadYml(const fs::path& path) {
  const std::string file = path.string();
  auto loaded = config::LoadYamlFile(file);
  if (!loaded) return tl::unexpected(loaded.error());
  const YAML::Node doc = *loaded;
  if (doc.IsNull()) return {};
  if (auto s = CheckKeys(doc, {"version", "models", "seeds", "snapshots", "sources", "exposures"},
                         file, "a properties file");
      !s) {
    return s;
  }
  for (const auto& [key, type] :
       {std::pair{"models", NodeType::kModel}, std::pair{"seeds", NodeType::kSeed},
        std::pair{"snapshots", NodeType::kSnapshot}}) {
    if (doc[key]) {
      if (auto s = LoadYmlResources(doc[key], type, file); !s) return s;
    }
  }
  if (doc["exposures"]) {
    if (auto s = LoadYmlExposures(doc["exposures"], file); !s) return s;
  }
  if (doc["sources"]) return LoadYmlSources(doc["sources"], file);
  return {};
}

Status ProjectLoader::LoadYmlExposures(const YAML::Node& list, const std::string& file) {
  if (!list.IsSequence()) return Bad(file, list, "exposures: must be a list");
  static const std::set<std::string> kTypes = {"dashboard", "notebook", "analysis", "ml",
                                               "application"};
  for (const YAML::Node& entry : list) {
    if (auto s = CheckKeys(entry,
                           {"name", "type", "label", "url", "maturity", "owner", "depends_on",
                            "description", "meta", "tags", "config"},
                           file, "an exposure");
        !s) {
      return s;
    }
    Exposure exposure;
    exposure.name = Str(entry["name"]);
    exposure.type = Str(entry["type"]);
    if (exposure.name.empty()) return Bad(file, entry, "an exposure needs a name:");
    if (!kTypes.count(exposure.type)) {
      return Bad(file, entry,
                 fmt::format("exposure '{}': type: must be one of dashboard, notebook, analysis, "
                             "ml, application",
                             exposure.name));
    }
    exposure.unique_id = fmt::format("exposure.{}.{}", project_.name_, exposure.name);
    exposure.label = Str(entry["label"]);
    exposure.url = Str(entry["url"]);
    exposure.maturity = Str(entry["maturity"]);
    exposure.description = Str(entry["description"]);
    exposure.file = file;
    exposure.line = LineOf(entry);
    if (const YAML::Node owner = entry["owner"]) {
      if (auto s = CheckKeys(owner, {"name", "email"}, file, "an exposure's owner"); !s) return s;
      exposure.owner_name = Str(owner["name"]);
      exposure.owner_email = Str(owner["email"]);
    }
    if (const YAML::Node meta = entry["meta"]; meta && meta.IsMap()) {
      for (const auto& kv : meta) exposure.meta[kv.first.Scalar()] = Str(kv.second);
    }
    // depends_on holds "ref('x')" texts until every model is known (ResolveExposures).
    if (const YAML::Node deps = entry["depends_on"]) {
      if (!deps.IsSequence()) return Bad(file, deps, "depends_on: must be a list of ref('model')");
      for (const YAML::Node& dep : deps) exposure.depends_on.push_back(Str(dep));
    }
    if (project_.exposures_.count(exposure.unique_id)) {
      return Bad(file, entry, fmt::format("an exposure named '{}' already exists", exposure.name));
    }
    project_.exposures_.emplace(exposure.unique_id, std::move(exposure));
  }
  return {};
}

Status ProjectLoader::LoadYmlResources(const YAML::Node& list, NodeType type,
                                       const std::string& file) {
  if (!list.IsSequence()) return Bad(file, list, "expected a list");
  for (const YAML::Node& entry : list) {
    if (auto s = CheckKeys(
            entry,
            {"name", "description", "columns", "tests", "data_tests", "config", "meta", "docs"},
            file, fmt::format("a {}", NodeTypeName(type)));
        !s) {
      return s;
    }
    const std::string name = Str(entry["name"]);
    const std::string id = fmt::format("{}.{}.{}", NodeTypeName(type), project_.name_, name);
    auto it = project_.nodes_.find(id);
    if (it == project_.nodes_.end()) {
      return Bad(
          file, entry,
          fmt::format("{} '{}' is described here but has no file", NodeTypeName(type), name));
    }
    Node& node = it->second;
    node.description = Str(entry["description"]);
    auto columns = ReadColumns(entry["columns"], file);
    if (!columns) return tl::unexpected(columns.error());
    node.columns = std::move(*columns);
    if (const YAML::Node config = entry["config"]) {
      if (!config.IsMap()) return Bad(file, config, "config: must be a map");
      for (const auto& kv : config) {
        auto v = ValueFromYaml(kv.second, file);
        if (!v) return tl::unexpected(v.error());
        MergeConfig(yml_config_[id], kv.first.Scalar(), *v);
      }
    }
    std::vector<std::string> prefix = {project_.name_};
    const fs::path folder = fs::path(file).parent_path().lexically_relative(project_.root_);
    auto part = folder.begin();
    if (part != folder.end()) ++part;  // drop the models/ folder, as dbt's fqn does
    for (; part != folder.end(); ++part) prefix.push_back(part->string());
    for (const YAML::Node& column : entry["columns"] ? entry["columns"] : YAML::Node()) {
      for (const char* key : {"tests", "data_tests"}) {
        if (auto s = AddColumnTests(column[key], name, name, Str(column["name"]), prefix, file); !s)
          return s;
      }
    }
    for (const char* key : {"tests", "data_tests"}) {
      if (auto s = AddColumnTests(entry[key], name, name, "", prefix, file); !s) return s;
    }
  }
  return {};
}

Status ProjectLoader::LoadYmlSources(const YAML::Node& list, const std::string& file) {
  if (!list.IsSequence()) return Bad(file, list, "sources: must be a list");
  for (const YAML::Node& source : list) {
    if (auto s =
            CheckKeys(source, {"name", "description", "schema", "tables", "meta", "loader", "tags"},
                      file, "a source");
        !s) {
      return s;
    }
    const std::string source_name = Str(source["name"]);
    if (source_name.empty()) return Bad(file, source, "a source needs a name:");
    if (!source["tables"] || !source["tables"].IsSequence()) {
      return Bad(file, source, fmt::format("source '{}' needs a tables: list", source_name));
    }
    for (const YAML::Node& table : source["tables"]) {
      if (auto s = CheckKeys(
              table,
              {"name", "identifier", "description", "columns", "tests", "data_tests", "meta"}, file,
              "a source table");
          !s) {
        return s;
      }
      Source out;
      out.source_name = source_name;
      out.name = Str(table["name"]);
      out.schema = source["schema"] ? Str(source["schema"]) : source_name;
      out.identifier = table["identifier"] ? Str(table["identifier"]) : out.name;
      out.description = Str(table["description"]);
      out.file = file;
      out.unique_id = fmt::format("source.{}.{}.{}", project_.name_, source_name, out.name);
      auto columns = ReadColumns(table["columns"], file);
      if (!columns) return tl::unexpected(columns.error());
      out.columns = std::move(*columns);
      if (project_.sources_.count(out.unique_id)) {
        return Bad(file, table,
                   fmt::format("source '{}.{}' is declared twice", source_name, out.name));
      }
      const std::string target = fmt::format("source:{}.{}", source_name, out.name);
      const std::string label = fmt::format("source_{}_{}", source_name, out.name);
      for (const YAML::Node& column : table["columns"] ? table["columns"] : YAML::Node()) {
        for (const char* key : {"tests", "data_tests"}) {
          if (auto s = AddColumnTests(column[key], target, label, Str(column["name"]),
                                      {project_.name_}, file);
              !s) {
            return s;
          }
        }
      }
      for (const char* key : {"tests", "data_tests"}) {
        if (auto s = AddColumnTests(table[key], target, label, "", {project_.name_}, file); !s)
          return s;
      }
      project_.sources_.emplace(out.unique_id, std::move(out));
    }
  }
  return {};
}

Status ProjectLoader::AddColumnTests(const YAML::Node& tests, const std::string& target_name,
                                     const std::string& target_label,
                                     const std::string& column_name,
                                     const std::vector<std::string>& fqn_prefix,
                                     const std::string& file) {
  if (!tests) return {};
  if (!tests.IsSequence()) return Bad(file, tests, "tests: must be a list");
  for (const YAML::Node& item : tests) {
    std::string kind_name;
    YAML::Node args;
    if (item.IsScalar()) {
      kind_name = item.Scalar();
    } else if (item.IsMap() && item.size() == 1) {
      kind_name = item.begin()->first.Scalar();
      args = item.begin()->second;
    } else {
      return Bad(file, item,
                 "a test is a name (unique) or a map with one key (accepted_values: {...})");
    }
    GenericTest test;
    if (kind_name == "unique")
      test.kind = GenericTest::Kind::kUnique;
    else if (kind_name == "not_null")
      test.kind = GenericTest::Kind::kNotNull;
    else if (kind_name == "accepted_values")
      test.kind = GenericTest::Kind::kAcceptedValues;
    else if (kind_name == "relationships")
      test.kind = GenericTest::Kind::kRelationships;
    else {
      return Bad(file, item,
                 fmt::format("test '{}' is not supported (unique, not_null, accepted_values, "
                             "relationships; or write a singular test in tests/)",
                             kind_name));
    }
    if (args && !args.IsNull()) {
      if (auto s = CheckKeys(args,
                             {"values", "quote", "to", "field", "column_name", "config", "severity",
                              "where", "name", "arguments", "tags"},
                             file, kind_name);
          !s) {
        return s;
      }
    }
    // dbt 1.10 nests test arguments under `arguments:`; older projects put them beside config.
    const YAML::Node& const_args = args;
    const bool has_args = args && args.IsMap();
    const YAML::Node arguments =
        has_args && const_args["arguments"] ? const_args["arguments"] : const_args;
    auto arg = [&](const char* key) {
      return arguments && arguments.IsMap() ? arguments[key] : YAML::Node();
    };
    test.column = column_name;
    if (test.column.empty()) test.column = Str(arg("column_name"));
    if (test.column.empty()) {
      return Bad(file, item,
                 fmt::format("test '{}' on '{}' needs a column: put it under columns: or give "
                             "column_name:",
                             kind_name, target_name));
    }
    std::string name = fmt::format("{}_{}_{}", kind_name, target_label, test.column);
    std::string to_name;
    if (test.kind == GenericTest::Kind::kAcceptedValues) {
      const YAML::Node values = arg("values");
      if (!values || !values.IsSequence() || values.size() == 0) {
        return Bad(file, item, "accepted_values needs values: [a, b, ...]");
      }
      for (const YAML::Node& v : values) {
        test.values.push_back(v.Scalar());
        name += "__" + v.Scalar();
      }
      if (const YAML::Node quote = arg("quote")) test.quote = quote.as<std::string>() != "false";
    }
    if (test.kind == GenericTest::Kind::kRelationships) {
      const std::string to = Str(arg("to"));
      test.field = Str(arg("field"));
      if (to.empty() || test.field.empty()) {
        return Bad(file, item, "relationships needs to: ref('model') and field: column");
      }
      auto parsed = Template::Parse("{{ " + to + " }}", file);
      if (!parsed)
        return Bad(file, arg("to"), "to: must be ref('model') or source('source', 'table')");
      const auto refs = parsed->FindCalls("ref");
      const auto sources = parsed->FindCalls("source");
      if (refs.size() == 1 && refs[0].args.size() == 1) {
        to_name = refs[0].args[0].text;
      } else if (sources.size() == 1 && sources[0].args.size() == 2) {
        to_name = fmt::format("source:{}.{}", sources[0].args[0].text, sources[0].args[1].text);
      } else {
        return Bad(file, arg("to"), "to: must be ref('model') or source('source', 'table')");
      }
      name += fmt::format("__{}__{}", test.field, to);
    }
    name = Sanitize(name);
    if (has_args && const_args["name"]) name = Str(const_args["name"]);

    Node node;
    node.type = NodeType::kTest;
    node.name = name;
    node.unique_id = fmt::format("test.{}.{}", project_.name_, name);
    node.path = Relative(file);
    node.file = file;
    node.fqn = fqn_prefix;
    node.fqn.push_back(name);
    node.generic = test;
    if (project_.nodes_.count(node.unique_id)) {
      return Bad(file, item,
                 fmt::format("a test named '{}' already exists; give this one a name:", name));
    }
    ConfigMap& config = yml_config_[node.unique_id];
    if (has_args) {
      for (const char* key : {"severity", "where", "tags"}) {
        if (const_args[key]) {
          auto v = ValueFromYaml(const_args[key], file);
          if (!v) return tl::unexpected(v.error());
          MergeConfig(config, key, *v);
        }
      }
      if (const YAML::Node cfg = const_args["config"]) {
        if (!cfg.IsMap()) return Bad(file, cfg, "config: must be a map");
        for (const auto& kv : cfg) {
          auto v = ValueFromYaml(kv.second, file);
          if (!v) return tl::unexpected(v.error());
          MergeConfig(config, kv.first.Scalar(), *v);
        }
      }
    }
    pending_tests_.push_back({node.unique_id, target_name, to_name, file, LineOf(item)});
    project_.nodes_.emplace(node.unique_id, std::move(node));
  }
  return {};
}

}  // namespace playlake::models
