// The functions a model template can call: ref, source, config, var,
// is_incremental, and the name `this`.
//
// One ModelContext serves one render. The same class serves the loader's
// parse-mode render (placeholders for relations, config() recorded) and the
// runner's real render (relations resolved, config() a no-op), so both see
// exactly the same function set and argument checks.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "models/template.h"

namespace playlake::models {

struct RenderEnv {
  const std::map<std::string, Value>* vars = nullptr;  // required
  // What ref('name') renders to; an Error names the problem (e.g. unknown model).
  std::function<Result<std::string>(const std::string& name)> ref;
  // What source('source', 'table') renders to.
  std::function<Result<std::string>(const std::string& source, const std::string& table)> source;
  std::string this_relation;
  bool is_incremental = false;
  // When set, the keyword arguments of every config() call are appended here.
  KeywordArgs* config_out = nullptr;
};

class ModelContext : public TemplateContext {
 public:
  explicit ModelContext(const RenderEnv& env) : env_(env) {}
  Result<Value> Call(const std::string& name, const std::vector<Value>& args,
                     const KeywordArgs& kwargs) override;
  std::optional<Value> Lookup(const std::string& name) override;

 private:
  const RenderEnv& env_;
};

}  // namespace playlake::models
