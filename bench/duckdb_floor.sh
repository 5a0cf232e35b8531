# Sourced by the benchmarks: the SQL of what DuckDB alone does to turn raw play
# events into deduplicated Parquet (read_ndjson -> dedupe on event_id -> COPY,
# partitioned by day), the floor Playlake's ingest and pipeline are compared with.
#
# duckdb_floor_sql INPUT OUT_DIR THREADS  prints it (INPUT: a file or a glob).
duckdb_floor_sql() {
  local input=$1 out=$2 threads=$3
  cat <<SQL
SET threads = $threads; SET preserve_insertion_order = false;
COPY (
  SELECT *, CAST(ts AS DATE) AS event_date
  FROM read_ndjson('$input', columns = {
    event_id: 'VARCHAR', ts: 'TIMESTAMPTZ', user_id: 'VARCHAR', track_id: 'VARCHAR',
    ms_played: 'BIGINT', session_id: 'VARCHAR', artist_id: 'VARCHAR', album_id: 'VARCHAR',
    track_name: 'VARCHAR', artist_name: 'VARCHAR', album_name: 'VARCHAR', duration_ms: 'BIGINT',
    country: 'VARCHAR', region: 'VARCHAR', city: 'VARCHAR', timezone: 'VARCHAR', device: 'VARCHAR',
    platform: 'VARCHAR', level: 'VARCHAR', reason_start: 'VARCHAR', reason_end: 'VARCHAR',
    shuffle: 'BOOLEAN', skipped: 'BOOLEAN', offline: 'BOOLEAN'})
  QUALIFY row_number() OVER (PARTITION BY event_id) = 1
) TO '$out' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (event_date))
SQL
}
