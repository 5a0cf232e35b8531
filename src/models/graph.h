// The dependency graph of a Project and node selection (--select/--exclude).
//
// Vertices are node and source unique_ids; an edge parent -> child means the
// child reads the parent (ref, source, or a test on it). Build() refuses a
// cycle with Error{kConfig} that names it ("model.p.a -> model.p.b -> model.p.a").
//
// Selection follows dbt's syntax and semantics (docs/models.md):
//   name        a node by name, or every node under a folder (staging, marts.core)
//   +name       the node and its ancestors; name+ its descendants; +name+ both;
//               2+name / name+1 limit the depth
//   tag:x       nodes tagged x; path:models/marts nodes under a path
//   source:s / source:s.t   a source (use source:s+ for what reads it)
// Selectors separated by spaces are a union; selectors joined by commas are an
// intersection (dbt: "tag:nightly,+fct_plays"). Tests are selected indirectly
// when any node they test is selected ("eager", dbt's default).
//
// A Graph is immutable after Build/AddTestEdges and safe to read concurrently.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "models/project.h"

namespace playlake::models {

class Graph {
 public:
  static Result<Graph> Build(const Project& project);

  // For `build`: a test runs before the children of the nodes it tests, so a
  // failing test can skip them (dbt build). An edge test -> child is added only
  // when every node the test reads is upstream of the child, so that a
  // relationships test never creates a cycle.
  void AddTestEdges(const Project& project);

  const std::set<std::string>& Parents(const std::string& id) const;
  const std::set<std::string>& Children(const std::string& id) const;
  // Every vertex once, parents before children, ties broken by id.
  const std::vector<std::string>& Order() const { return order_; }
  // depth < 0: unlimited.
  std::set<std::string> Ancestors(const std::string& id, int depth = -1) const;
  std::set<std::string> Descendants(const std::string& id, int depth = -1) const;

  const std::map<std::string, std::set<std::string>>& parent_map() const { return parents_; }
  const std::map<std::string, std::set<std::string>>& child_map() const { return children_; }

 private:
  Status Sort();
  std::map<std::string, std::set<std::string>> parents_;
  std::map<std::string, std::set<std::string>> children_;
  std::vector<std::string> order_;
};

// The node unique_ids (never sources) that `select` minus `exclude` picks. Each
// element of `select`/`exclude` may itself hold several space-separated
// selectors. An empty `select` means every node. A selector that matches
// nothing is Error{kInvalidArgument} naming it, because a typo should not
// silently run nothing.
Result<std::set<std::string>> SelectNodes(const Project& project, const Graph& graph,
                                          const std::vector<std::string>& select,
                                          const std::vector<std::string>& exclude);

}  // namespace playlake::models
