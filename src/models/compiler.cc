#include "models/compiler.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <functional>

#include "models/context.h"
#include "warehouse/duckdb.h"

namespace playlake::models {
namespace {

using warehouse::QuoteIdentifier;
using warehouse::QuoteLiteral;

std::string StripTrailing(std::string sql) {
  while (!sql.empty() &&
         (std::isspace(static_cast<unsigned char>(sql.back())) || sql.back() == ';')) {
    sql.pop_back();
  }
  return sql;
}

// Position just after leading whitespace and SQL comments.
std::size_t SkipBlank(const std::string& sql, std::size_t i) {
  while (i < sql.size()) {
    if (std::isspace(static_cast<unsigned char>(sql[i]))) {
      ++i;
    } else if (sql.compare(i, 2, "--") == 0) {
      i = sql.find('\n', i);
      if (i == std::string::npos) return sql.size();
    } else if (sql.compare(i, 2, "/*") == 0) {
      i = sql.find("*/", i + 2);
      if (i == std::string::npos) return sql.size();
      i += 2;
    } else {
      break;
    }
  }
  return i;
}

// True when `sql` has the keyword `word` at `i` (case-insensitive, whole word).
bool KeywordAt(const std::string& sql, std::size_t i, const std::string& word) {
  if (i + word.size() > sql.size()) return false;
  for (std::size_t k = 0; k < word.size(); ++k) {
    if (std::tolower(static_cast<unsigned char>(sql[i + k])) != word[k]) return false;
  }
  const std::size_t end = i + word.size();
  return end == sql.size() ||
         !(std::isalnum(static_cast<unsigned char>(sql[end])) || sql[end] == '_');
}

}  // namespace

std::string InjectCtes(const std::string& sql, const std::string& ctes) {
  if (ctes.empty()) return sql;
  std::size_t i = SkipBlank(sql, 0);
  if (!KeywordAt(sql, i, "with")) return "with " + ctes + "\n" + sql;
  i = SkipBlank(sql, i + 4);
  if (KeywordAt(sql, i, "recursive")) i = SkipBlank(sql, i + 9);
  return sql.substr(0, i) + ctes + ",\n" + sql.substr(i);
}

std::string Compiler::RelationOf(const Node& node) {
  return QuoteIdentifier(node.schema) + "." + QuoteIdentifier(node.alias);
}

std::string Compiler::RelationOf(const Source& source) const {
  if (auto it = sources_.find(source.source_name + "." + source.name); it != sources_.end()) {
    return it->second;
  }
  return QuoteIdentifier(source.schema) + "." + QuoteIdentifier(source.identifier);
}

Result<std::string> Compiler::RelationOfId(const std::string& unique_id) const {
  if (const Node* node = project_.FindNode(unique_id)) return RelationOf(*node);
  if (auto it = project_.sources().find(unique_id); it != project_.sources().end()) {
    return RelationOf(it->second);
  }
  return Fail(ErrorCode::kInternal, "unknown node " + unique_id);
}

Result<std::string> Compiler::Render(const Node& node, bool is_incremental,
                                     std::vector<std::string>* ephemerals) const {
  RenderEnv env;
  env.vars = &project_.vars();
  env.this_relation = RelationOf(node);
  env.is_incremental = is_incremental;
  env.ref = [&](const std::string& name) -> Result<std::string> {
    const Node* target = project_.FindRefable(name);
    if (!target)
      return Fail(ErrorCode::kConfig,
                  fmt::format("ref('{}') names no model, seed or snapshot", name));
    if (target->type == NodeType::kModel && target->materialized == Materialization::kEphemeral) {
      if (std::find(ephemerals->begin(), ephemerals->end(), target->unique_id) ==
          ephemerals->end()) {
        ephemerals->push_back(target->unique_id);
      }
      return "__dbt__cte__" + target->name;
    }
    return unqualified_ ? QuoteIdentifier(target->alias) : RelationOf(*target);
  };
  env.source = [&](const std::string& s, const std::string& t) -> Result<std::string> {
    const Source* source = project_.FindSource(s, t);
    if (!source)
      return Fail(ErrorCode::kConfig, fmt::format("source('{}', '{}') is not declared", s, t));
    return RelationOf(*source);
  };
  ModelContext context(env);
  auto sql = node.sql.Render(context);
  if (!sql) return sql;
  return StripTrailing(*sql);
}

Result<std::string> Compiler::Compile(const Node& node, bool is_incremental) const {
  std::vector<std::string> ephemerals;
  auto sql = Render(node, is_incremental, &ephemerals);
  if (!sql) return sql;
  // Each ephemeral's CTE must come after the CTEs it reads: render them
  // depth-first, appending dependencies found along the way.
  std::vector<std::pair<std::string, std::string>> ctes;  // id, "name as (...)"
  std::vector<std::string> visiting;
  std::function<Status(const std::string&)> add = [&](const std::string& id) -> Status {
    for (const auto& done : ctes) {
      if (done.first == id) return {};
    }
    if (std::find(visiting.begin(), visiting.end(), id) != visiting.end()) {
      return Fail(ErrorCode::kConfig, "ephemeral models form a cycle through " + id);
    }
    visiting.push_back(id);
    const Node& eph = *project_.FindNode(id);
    std::vector<std::string> deps;
    auto body = Render(eph, false, &deps);
    if (!body) return tl::unexpected(body.error());
    for (const std::string& dep : deps) {
      if (auto s = add(dep); !s) return s;
    }
    ctes.emplace_back(id, fmt::format("__dbt__cte__{} as (\n{}\n)", eph.name, *body));
    visiting.pop_back();
    return {};
  };
  for (const std::string& id : ephemerals) {
    if (auto s = add(id); !s) return tl::unexpected(s.error());
  }
  std::string joined;
  for (const auto& [id, cte] : ctes) joined += (joined.empty() ? "" : ",\n") + cte;
  return InjectCtes(*sql, joined);
}

Result<std::string> Compiler::TestQuery(const Node& test, const std::string& new_rows) const {
  if (!test.generic) return Compile(test, false);
  const GenericTest& g = *test.generic;
  auto relation = RelationOfId(g.target);
  if (!relation) return relation;
  auto filtered = [&test](const std::string& rel) {
    return test.where.empty() ? rel : fmt::format("(select * from {} where {})", rel, test.where);
  };
  const std::string all = filtered(*relation);
  // The rows checked: those the run added when it says which, else all.
  const std::string from = new_rows.empty() ? all : filtered(new_rows);
  const std::string& c = g.column;
  switch (g.kind) {
    case GenericTest::Kind::kUnique:
      if (!new_rows.empty()) {
        // The new keys probe a small hash table while the model's key column
        // is scanned once: no grouping of every row.
        return fmt::format(
            "select {c} as unique_field, count(*) as n_records\nfrom {all} as t\nwhere {c} in "
            "(select {c} from {from} as n where {c} is not null)\n"
            "group by {c}\nhaving count(*) > 1",
            fmt::arg("c", c), fmt::arg("all", all), fmt::arg("from", from));
      }
      return fmt::format(
          "select {c} as unique_field, count(*) as n_records\nfrom {from} as t\nwhere {c} is not "
          "null\n"
          "group by {c}\nhaving count(*) > 1",
          fmt::arg("c", c), fmt::arg("from", from));
    case GenericTest::Kind::kNotNull:
      return fmt::format("select *\nfrom {} as t\nwhere {} is null", from, c);
    case GenericTest::Kind::kAcceptedValues: {
      std::string values;
      for (const std::string& v : g.values) {
        values += (values.empty() ? "" : ", ") + (g.quote ? QuoteLiteral(v) : v);
      }
      return fmt::format(
          "select {c} as value_field, count(*) as n_records\nfrom {from} as t\n"
          "where {c} is not null and {c} not in ({values})\ngroup by {c}",
          fmt::arg("c", c), fmt::arg("from", from), fmt::arg("values", values));
    }
    case GenericTest::Kind::kRelationships: {
      auto to = RelationOfId(g.to);
      if (!to) return to;
      return fmt::format(
          "select child.{c} as from_field\nfrom {from} as child\nleft join {to} as parent\n"
          "  on child.{c} = parent.{f}\nwhere child.{c} is not null and parent.{f} is null",
          fmt::arg("c", c), fmt::arg("from", from), fmt::arg("to", *to), fmt::arg("f", g.field));
    }
  }
  return Fail(ErrorCode::kInternal, "unknown generic test");
}

}  // namespace playlake::models
