// Resolving exposures once every model is known (ProjectLoader), and
// compiling their queries.
#include "models/exposures.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <set>

#include "models/compiler.h"
#include "models/loader.h"

namespace playlake::models {
namespace {

// "ref('x')" or ref("x") -> x; anything else -> nothing.
std::optional<std::string> RefName(const std::string& text) {
  std::string t;
  for (char c : text) {
    if (c != ' ') t += c;
  }
  if (t.size() < 8 || t.rfind("ref(", 0) != 0 || t.back() != ')') return std::nullopt;
  const std::string quoted = t.substr(4, t.size() - 5);
  if (quoted.size() < 3 || (quoted.front() != '\'' && quoted.front() != '"') ||
      quoted.back() != quoted.front()) {
    return std::nullopt;
  }
  return quoted.substr(1, quoted.size() - 2);
}

}  // namespace

Status ProjectLoader::ResolveExposures() {
  for (auto& [id, exposure] : project_.exposures_) {
    const std::string where = fmt::format("{}:{}", exposure.file, exposure.line);
    std::set<std::string> deps;
    for (const std::string& dep : exposure.depends_on) {
      const auto name = RefName(dep);
      if (!name) {
        return Fail(ErrorCode::kConfig,
                    fmt::format("{}: exposure '{}': depends_on entry \"{}\" is not ref('model')",
                                where, exposure.name, dep));
      }
      auto resolved = ResolveRef(*name, fmt::format("{}: exposure '{}'", where, exposure.name));
      if (!resolved) return tl::unexpected(resolved.error());
      deps.insert(*resolved);
    }
    exposure.depends_on.assign(deps.begin(), deps.end());
    // A query may read only what its exposure declares: the declaration is
    // what lineage and `--select` see, so it must not drift from the SQL.
    for (Node& query : exposure.queries) {
      if (auto s = ResolveQueryRefs(exposure, deps, where, query); !s) return s;
    }
    for (Node& query : exposure.clickhouse_queries) {
      if (auto s = ResolveQueryRefs(exposure, deps, where, query); !s) return s;
      const bool has_query =
          std::any_of(exposure.queries.begin(), exposure.queries.end(),
                      [&query](const Node& duckdb) { return duckdb.name == query.name; });
      if (!has_query) {
        return Fail(ErrorCode::kConfig,
                    fmt::format("{}: a ClickHouse variant of no query: there is no {}.sql beside it",
                                query.path, query.name));
      }
    }
  }
  return {};
}

// The models `query` reads: each ref() must name one of `deps`, its exposure's.
Status ProjectLoader::ResolveQueryRefs(const Exposure& exposure, const std::set<std::string>& deps,
                                       const std::string& where, Node& query) {
  std::set<std::string> reads;
  for (const StaticCall& call : query.sql.FindCalls("ref")) {
    const std::string at = fmt::format("{}:{}", query.file, call.line);
    if (!call.all_literal || call.args.size() != 1) {
      return Fail(ErrorCode::kConfig, fmt::format("{}: ref() takes one string literal", at));
    }
    auto resolved = ResolveRef(call.args[0].text, at);
    if (!resolved) return tl::unexpected(resolved.error());
    if (!deps.count(*resolved)) {
      return Fail(ErrorCode::kConfig,
                  fmt::format("{}: ref('{}') is not in the depends_on of exposure '{}' ({}); "
                              "add it there",
                              at, call.args[0].text, exposure.name, where));
    }
    reads.insert(*resolved);
  }
  query.depends_on.assign(reads.begin(), reads.end());
  return {};
}

namespace {

// Every query of every exposure compiled by `compiler`, each in the variant
// `pick` chooses among the exposure's files.
Result<std::vector<ExposureQuery>> CompileQueries(
    const Project& project, const Compiler& compiler,
    const std::function<const Node&(const Exposure&, const Node&)>& pick) {
  std::vector<ExposureQuery> out;
  for (const auto& [id, exposure] : project.exposures()) {
    for (const Node& duckdb : exposure.queries) {
      const Node& query = pick(exposure, duckdb);
      auto sql = compiler.Compile(query, false);
      if (!sql) return tl::unexpected(sql.error());
      out.push_back({exposure.name, exposure.label.empty() ? exposure.name : exposure.label,
                     exposure.type, query.name, query.path, std::move(*sql)});
    }
  }
  return out;
}

const SourceRelations kNoSources;

}  // namespace

Result<std::vector<ExposureQuery>> CompileExposureQueries(const Project& project) {
  return CompileQueries(project, Compiler(project, kNoSources),
                        [](const Exposure&, const Node& query) -> const Node& { return query; });
}

Result<std::vector<ExposureQuery>> CompileClickHouseQueries(const Project& project) {
  return CompileQueries(
      project, Compiler(project, kNoSources, /*unqualified=*/true),
      [](const Exposure& exposure, const Node& duckdb) -> const Node& {
        const auto variant =
            std::find_if(exposure.clickhouse_queries.begin(), exposure.clickhouse_queries.end(),
                         [&duckdb](const Node& query) { return query.name == duckdb.name; });
        return variant == exposure.clickhouse_queries.end() ? duckdb : *variant;
      });
}

}  // namespace playlake::models
