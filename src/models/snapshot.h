// Snapshots: type-2 slowly changing dimensions (dbt's snapshot semantics).
//
// The snapshot table holds the source's columns plus dbt_scd_id,
// dbt_updated_at, dbt_valid_from and dbt_valid_to (NULL on the current row).
// Each run, in one transaction:
//   - a key not present as a current row is inserted as current;
//   - a key whose row changed has its current row closed and a new current row
//     inserted, with new.dbt_valid_from = old.dbt_valid_to, so periods of one
//     key never overlap;
//       timestamp strategy: changed when updated_at > the current dbt_updated_at;
//                           the period boundary is the source's updated_at;
//       check strategy:     changed when any check_cols (default: all columns)
//                           IS DISTINCT FROM the current row; the boundary is `now`;
//   - with invalidate_hard_deletes, a current row whose key left the source is
//     closed at `now`.
// A source with two rows for one unique_key is refused (Error{kData}) instead
// of producing two current rows.
#pragma once

#include <cstdint>
#include <string>

#include "models/materialize.h"

namespace playlake::models {

// REQUIRES: node.type == kSnapshot and node.snapshot is set. `select_sql` is the
// compiled snapshot body; `now` a timestamp literal's text ("2024-05-01 12:00:00").
Result<Materialized> RunSnapshot(warehouse::Connection& conn, const Node& node,
                                 const std::string& select_sql, const std::string& now);

}  // namespace playlake::models
