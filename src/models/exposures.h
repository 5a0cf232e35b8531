// The queries of a project's exposures (analyses/<exposure>/<query>.sql),
// compiled against the project: ref('x') becomes x's relation, so a project
// that renames or moves a model carries its exposures' queries along.
//
// Thread safety: a pure function of an immutable Project.
#pragma once

#include <string>
#include <vector>

#include "models/project.h"

namespace playlake::models {

struct ExposureQuery {
  std::string exposure;  // the exposure's name, e.g. "overview"
  std::string label;     // its label, or its name when it has none
  std::string type;      // its type: dashboard, application, ...
  std::string name;      // the query: its file's name without .sql, e.g. "kpis"
  std::string path;      // the file, relative to the project folder
  std::string sql;       // compiled SQL
};

// Every query of every exposure, ordered by exposure then query name.
// Errors: Error{kConfig} naming the file and line of a template that does not
// render.
Result<std::vector<ExposureQuery>> CompileExposureQueries(const Project& project);

// The same queries as ClickHouse runs them over the tables the publish step
// loads there: each query's ClickHouse variant
// (analyses/<exposure>/<query>.clickhouse.sql) when it has one, else the
// query itself, with ref('x') rendered as the bare "x" (the queries run in
// the publish database). Errors: as CompileExposureQueries.
Result<std::vector<ExposureQuery>> CompileClickHouseQueries(const Project& project);

}  // namespace playlake::models
