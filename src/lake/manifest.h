// Manifest entries: the commit log of the lake, the only thing readers trust.
//
// One entry per committed batch and layer, stored as JSON at
// `_manifests/<layer>/<batch-id>.json` (docs/lake-format.md has the schema).
// A data file exists for readers only once an entry lists it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace playlake::lake {

struct DataFile {
  std::string table;    // bronze: the entity; silver: the silver table
  std::string key;      // storage key relative to the lake root
  std::int64_t rows = 0;
  std::uint64_t bytes = 0;
  // SchemaFingerprint of the file's columns, recorded by the writer; empty:
  // unknown (files written before fingerprints were recorded, or a compaction
  // of files of several schemas). Readers group files by it without reading
  // their footers.
  std::string schema{};
};

// A Parquet file's columns: name and DuckDB type, as `DESCRIBE SELECT * FROM
// read_parquet(file)` names them ("TIMESTAMP WITH TIME ZONE", "VARCHAR[]");
// the aliases Playlake writes types with (TIMESTAMPTZ, ...) are accepted.
using FileColumns = std::vector<std::pair<std::string, std::string>>;

// A short id of `columns` (16 hex digits): equal for files with the same
// column names and types, in any order (DuckDB matches a file list's columns
// by name), different otherwise. Stored in manifests (DataFile::schema): it
// never changes between versions.
std::string SchemaFingerprint(const FileColumns& columns);

// A count of something a batch held, with a few examples of it.
struct Observed {
  std::int64_t count = 0;
  std::vector<std::string> examples;  // at most kMaxExamples, first seen first
  static constexpr std::size_t kMaxExamples = 3;
};

// What a batch held beyond its format's contract (docs/silver.md, "Drift"):
// fields the parser does not read, and values outside a known enumeration.
// Also the plays whose time zone is an approximation (a country's most
// populous zone), reported beside drift.
struct Drift {
  // Field → records that had it; examples: its values.
  std::map<std::string, Observed> unknown_fields;
  // Field → records with a value outside its enumeration; examples: the values.
  std::map<std::string, Observed> unknown_values;
  // Country → plays given its most populous zone; example: the zone.
  std::map<std::string, Observed> approximate_zones;
  bool empty() const {
    return unknown_fields.empty() && unknown_values.empty() && approximate_zones.empty();
  }
  // Adds `other`'s counts; examples are kept up to kMaxExamples.
  void Merge(const Drift& other);
};

// The Kafka messages a stream batch holds: offsets first_offset..last_offset
// (inclusive) of one partition of a topic (docs/streaming.md).
struct KafkaRange {
  std::string topic;
  int partition = 0;
  std::int64_t first_offset = 0;
  std::int64_t last_offset = 0;
  // Offset of the first message: the data file's first line (offsets before
  // it hold no message, e.g. transaction markers).
  std::int64_t lines_offset = 0;
};

// The manifest version this playlake writes for an entry that replaces files
// (a compaction); plain batches stay at version 1, so older readers still read
// them, and refuse a compacted lake instead of counting its rows twice.
constexpr int kCompactionManifestVersion = 2;

struct ManifestEntry {
  int version = 1;
  std::string layer;           // "bronze" or "silver"
  std::string batch_id;
  std::string source;          // sources[].name, or the format for ad-hoc ingests
  std::string format;          // playlake, eventsim, ...
  std::string entity;          // bronze entity (plays, events, songs, ...)
  std::string input_path;      // where the batch came from (lineage)
  std::uint64_t input_size = 0;
  std::string input_checksum;  // XXH3-128 hex of the raw bytes
  // The input's modification time before it was read (ns since the epoch; 0
  // when unknown): with path and size, lets a re-run skip an unchanged file
  // without reading it.
  std::int64_t input_modified_ns = 0;
  std::string user;            // listener for Spotify exports, when given
  std::int64_t committed_at_us = 0;  // commit time, µs since the epoch (UTC)
  std::vector<DataFile> files;
  std::map<std::string, std::int64_t> stats;  // counts: records, rows.<table>, quarantine.<reason>, ...
  // Version of the format's contract the batch was read with
  // (docs/event-contract.md, "Contract versions"); 0: not recorded (batches
  // committed before versions were recorded).
  int contract_version = 0;
  Drift drift;  // silver entries only
  // Stream batches only: the offsets they hold. A partition's committed
  // ranges follow each other with no gap and no overlap.
  std::optional<KafkaRange> kafka;
  // Compaction entries only (version 2): keys of committed data files that
  // this entry's files replace, row for row. Readers use a file only while no
  // entry replaces it (LiveFiles in lake.h).
  std::vector<std::string> replaces;
};

// `drift` as a JSON object {"unknown_fields": {field: {"count", "examples"}},
// "unknown_values": …, "approximate_zones": …}, as manifests store it.
std::string DriftToJson(const Drift& drift);

std::string ManifestKey(const std::string& layer, const std::string& batch_id);
std::string ToJson(const ManifestEntry& entry);
// `origin` names the manifest in error messages.
Result<ManifestEntry> ManifestFromJson(const std::string& text, const std::string& origin);

}  // namespace playlake::lake
