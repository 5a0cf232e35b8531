#include "serve/dashboard_queries.h"

#include <fmt/format.h>

#include <cctype>

#include "models/project.h"

namespace playlake::serve {
namespace {

bool IdentifierChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Appends the condition of placeholder `name`(`arg`) to `out`.
Status AppendPlaceholder(const std::string& name, const std::string& arg,
                         const RequestValues& values, Condition& out) {
  if (name == "user" && arg.empty()) {
    out.sql += "?";
    out.params.push_back(values.user);
    return {};
  }
  Filters filters = values.filters;
  if (name == "dates") {
    filters = Filters{filters.from, filters.to, {}, {}, {}};
  } else if (name == "filters_except_level") {
    filters.level.reset();
  } else if (name != "filters") {
    return Fail(ErrorCode::kConfig, fmt::format("unknown placeholder {{{}}}", name));
  }
  if (arg.empty()) {
    return Fail(ErrorCode::kConfig,
                fmt::format("placeholder {{{}(...)}} needs the date to filter on", name));
  }
  const Condition condition = WhereClause(filters, arg);
  out.sql += condition.sql;
  out.params.insert(out.params.end(), condition.params.begin(), condition.params.end());
  return {};
}

}  // namespace

Result<Condition> FillPlaceholders(const std::string& sql, const RequestValues& values) {
  Condition out;
  std::size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '?') {
      return Fail(ErrorCode::kConfig,
                  "a '?' outside placeholders: bind values with {filters(...)}, {dates(...)}, "
                  "{filters_except_level(...)} or {user}");
    }
    if (c != '{' || i + 1 >= sql.size() || !std::isalpha(static_cast<unsigned char>(sql[i + 1]))) {
      out.sql += c;
      ++i;
      continue;
    }
    std::size_t end = i + 1;
    while (end < sql.size() && IdentifierChar(sql[end])) ++end;
    const std::string name = sql.substr(i + 1, end - i - 1);
    std::string arg;
    if (end < sql.size() && sql[end] == '(') {
      const std::size_t close = sql.find(")}", end);
      if (close == std::string::npos) {
        return Fail(ErrorCode::kConfig,
                    fmt::format("placeholder {{{}( is not closed by )}}", name));
      }
      arg = sql.substr(end + 1, close - end - 1);
      end = close + 1;
    } else if (end >= sql.size() || sql[end] != '}') {
      out.sql += c;  // not a placeholder: a struct literal such as {a: 1}
      ++i;
      continue;
    }
    if (auto s = AppendPlaceholder(name, arg, values, out); !s) return tl::unexpected(s.error());
    i = end + 1;
  }
  return out;
}

DashboardQueries::DashboardQueries(const std::vector<models::ExposureQuery>& queries) {
  for (const auto& query : queries) {
    queries_[{query.exposure, query.name}] = query;
    pages_[query.exposure] = {query.label, query.type};
  }
}

Result<DashboardQueries> DashboardQueries::Load(const std::filesystem::path& models_dir,
                                                Engine engine) {
  auto project = models::Project::Load(models_dir);
  if (!project) return tl::unexpected(project.error());
  auto queries = engine == Engine::kClickHouse ? models::CompileClickHouseQueries(*project)
                                               : models::CompileExposureQueries(*project);
  if (!queries) return tl::unexpected(queries.error());
  return FromProject(*project, *queries);
}

DashboardQueries DashboardQueries::FromProject(
    const models::Project& project, const std::vector<models::ExposureQuery>& compiled,
    const std::function<bool(const models::Exposure&)>& include) {
  DashboardQueries out;
  for (const auto& [id, exposure] : project.exposures()) {
    if (include && !include(exposure)) continue;
    // An exposure without query files still names its page.
    out.pages_.emplace(exposure.name, Page{exposure.label.empty() ? exposure.name : exposure.label,
                                           exposure.type});
  }
  for (const auto& query : compiled) {
    if (out.pages_.count(query.exposure)) out.queries_[{query.exposure, query.name}] = query;
  }
  return out;
}

bool DashboardQueries::HasEndpoint(const std::string& endpoint) const {
  return pages_.count(endpoint) > 0;
}

std::string DashboardQueries::Describe(const std::string& endpoint) const {
  const auto it = pages_.find(endpoint);
  const Page page = it == pages_.end() ? Page{endpoint, "dashboard"} : it->second;
  if (page.type == "dashboard") {
    return fmt::format("dashboard page '{}' (exposure {})", page.label, endpoint);
  }
  return fmt::format("exposure {} ({})", endpoint, page.label);
}

std::string DashboardQueries::PathOf(const std::string& endpoint, const std::string& name) const {
  const auto it = queries_.find({endpoint, name});
  return it == queries_.end() ? "" : it->second.path;
}

Result<Condition> DashboardQueries::Bind(const std::string& endpoint, const std::string& name,
                                         const RequestValues& values) const {
  const auto it = queries_.find({endpoint, name});
  if (it == queries_.end()) {
    return Fail(ErrorCode::kConfig,
                fmt::format("{}: the model project has no query {}/{}.sql in its analyses",
                            Describe(endpoint), endpoint, name));
  }
  auto bound = FillPlaceholders(it->second.sql, values);
  if (!bound) {
    return Fail(ErrorCode::kConfig, fmt::format("{}: {}: {}", Describe(endpoint), it->second.path,
                                                bound.error().message));
  }
  return bound;
}

}  // namespace playlake::serve
