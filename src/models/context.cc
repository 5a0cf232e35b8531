#include "models/context.h"

#include <fmt/format.h>

namespace playlake::models {
namespace {

tl::unexpected<Error> Bad(std::string message) {
  return Fail(ErrorCode::kConfig, std::move(message));
}

Result<std::string> StringArg(const std::string& function, const std::vector<Value>& args,
                              std::size_t i) {
  if (args[i].kind != Value::Kind::kString) {
    return Bad(fmt::format("{}() takes string arguments, got {}", function, args[i].Render()));
  }
  return args[i].text;
}

}  // namespace

Result<Value> ModelContext::Call(const std::string& name, const std::vector<Value>& args,
                                 const KeywordArgs& kwargs) {
  if (name == "ref") {
    if (args.size() != 1 || !kwargs.empty()) {
      return Bad("ref() takes exactly one model name (packages and versions are not supported)");
    }
    auto model = StringArg(name, args, 0);
    if (!model) return tl::unexpected(model.error());
    auto relation = env_.ref(*model);
    if (!relation) return tl::unexpected(relation.error());
    return Value::Relation(*relation);
  }
  if (name == "source") {
    if (args.size() != 2 || !kwargs.empty()) {
      return Bad("source() takes exactly two arguments: source('source_name', 'table_name')");
    }
    auto source = StringArg(name, args, 0);
    if (!source) return tl::unexpected(source.error());
    auto table = StringArg(name, args, 1);
    if (!table) return tl::unexpected(table.error());
    auto relation = env_.source(*source, *table);
    if (!relation) return tl::unexpected(relation.error());
    return Value::Relation(*relation);
  }
  if (name == "config") {
    if (!args.empty())
      return Bad("config() takes keyword arguments only, e.g. config(materialized='table')");
    if (env_.config_out)
      env_.config_out->insert(env_.config_out->end(), kwargs.begin(), kwargs.end());
    return Value::String("");  // like dbt, {{ config(...) }} renders as nothing
  }
  if (name == "var") {
    if (args.empty() || args.size() > 2 || !kwargs.empty()) {
      return Bad("var() takes a name and an optional default: var('name', default)");
    }
    auto var = StringArg(name, args, 0);
    if (!var) return tl::unexpected(var.error());
    if (auto it = env_.vars->find(*var); it != env_.vars->end()) return it->second;
    if (args.size() == 2) return args[1];
    return Bad(fmt::format(
        "var '{}' is not defined and has no default: add it to vars: in dbt_project.yml, pass "
        "--vars, or write var('{}', default)",
        *var, *var));
  }
  if (name == "is_incremental") {
    if (!args.empty() || !kwargs.empty()) return Bad("is_incremental() takes no arguments");
    return Value::Bool(env_.is_incremental);
  }
  return Bad(fmt::format(
      "unknown function '{}' (supported: ref, source, config, var, is_incremental, and the "
      "project's macros under macro-paths)",
      name));
}

std::optional<Value> ModelContext::Lookup(const std::string& name) {
  if (name == "this") return Value::Relation(env_.this_relation);
  return std::nullopt;
}

}  // namespace playlake::models
