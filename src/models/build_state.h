// What the runner remembers between commands so that it can keep a node whose
// inputs did not change (RunnerOptions::keep_unchanged) instead of building or
// testing it again.
//
// A node's inputs are its compiled SQL, how it materializes, and the version
// of everything it reads: of a node, the invocation that last built it; of a
// source, what the caller gave in RunnerOptions::source_versions (for silver,
// its views' file lists: a committed Parquet file never changes). A node is
// kept when its inputs are those it was last built (or, for a test, passed)
// with; its version stays, so what reads it is kept too when nothing else
// changed. Inputs are unknown, and the node always runs, when it reads a
// source without a version, a node with none recorded, or the clock.
//
// The state lives in the warehouse (table kTable), so it is copied, swapped
// and lost together with the relations it describes; the runner saves it at
// the end of a command, for the nodes that succeeded.
//
// Thread safety: none; the runner guards it with its schedule's mutex.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "models/project.h"
#include "warehouse/duckdb.h"

namespace playlake::models {

class BuildState {
 public:
  static constexpr const char* kSchema = "playlake_runner";
  static constexpr const char* kTable = "playlake_runner.node_state";

  // The state stored in the warehouse; none when the table does not exist yet.
  static Result<BuildState> Load(warehouse::Connection& conn);

  // A digest of `node`'s inputs with `sql` as its compiled SQL; nullopt when
  // one of them has no version (see above). `source_versions` is keyed by
  // "schema.identifier" of the source's relation.
  std::optional<std::string> Inputs(
      const Project& project, const Node& node, const std::string& sql,
      const std::map<std::string, std::string>& source_versions) const;
  // True when `unique_id` last succeeded with exactly these inputs.
  bool Unchanged(const std::string& unique_id, const std::string& inputs) const;
  // `unique_id` succeeded with `inputs` (empty: unknown); `version` is what its
  // readers see (the invocation id), unless `same_output` says it wrote
  // nothing and it has a version already.
  void Record(const std::string& unique_id, const std::string& inputs, const std::string& version,
              bool same_output);
  // `unique_id` ran without a known set of inputs or failed: it runs next time.
  void Forget(const std::string& unique_id);
  // Writes what Record and Forget changed since Load, in one transaction.
  Status Save(warehouse::Connection& conn) const;

 private:
  struct Entry {
    std::string inputs;
    std::string version;
  };
  std::optional<std::string> VersionOf(const Project& project, const std::string& dependency,
                                       const std::map<std::string, std::string>& source_versions,
                                       int depth) const;

  std::map<std::string, Entry> entries_;
  std::map<std::string, std::optional<Entry>> changed_;  // nullopt: forgotten
};

}  // namespace playlake::models
