// The files a run leaves in target/, modelled on dbt's artifacts so that tools
// reading dbt's manifest.json and run_results.json find what they expect:
//   manifest.json     nodes, sources, parent_map, child_map, metadata
//   run_results.json  per node: status, timing, rows affected, failures, message
//   lineage.json      {nodes: [...], edges: [{from, to}]}, for the dashboard
//   lineage.dot       the same graph for Graphviz
// Only the fields documented in docs/models.md are written; dbt's other fields
// are absent rather than filled with guesses.
//
// Files are written with WriteFileAtomically (common/atomic_file.h), so a
// reader never sees a half-written artifact. Errors are I/O errors naming the
// file.
#pragma once

#include <filesystem>
#include <string>

#include "models/graph.h"
#include "models/project.h"
#include "models/results.h"

namespace playlake::models {

std::string ManifestJson(const Project& project, const Graph& graph,
                         const std::string& generated_at);
std::string RunResultsJson(const RunResults& results);
std::string LineageJson(const Project& project, const Graph& graph);
std::string LineageDot(const Project& project, const Graph& graph);

// Writes manifest.json, lineage.json and lineage.dot into `target_dir`.
Status WriteDocs(const std::filesystem::path& target_dir, const Project& project,
                 const Graph& graph, const std::string& generated_at);
Status WriteRunResults(const std::filesystem::path& target_dir, const RunResults& results);

}  // namespace playlake::models
