// Ingest: land inputs in bronze and build silver from them. Start here.
//
//   auto lake = lake::Lake::OpenLocal(project.lake, {});
//   silver::IngestRequest request{.paths = {"/data/log_data"}};
//   auto report = silver::Ingest(**lake, request, progress);
//
// For each input file: checksum → batch id (path + size + checksum); if the
// batch is committed in silver, nothing happens (replay is a no-op), unless
// that batch was quarantined whole and the request says how to read the file
// (a `format` or a `csv` mapping): then the file is read again as a batch of
// its own, whose id adds that reading to the file's. Otherwise
// the raw bytes are streamed once: compressed into bronze unchanged, and
// parsed into silver rows. Bronze is committed first, then silver, each by an
// atomic manifest (docs/lake-format.md). Bronze committed without silver (a
// crash in between) is finished from bronze on the next run (CatchUpSilver).
//
// Ownership: borrows the lake and progress. Thread safety: Ingest calls on one
// lake, from any thread or process, take turns on its writer lock
// (Storage::LockWriters); each deduplicates against every batch committed
// before it.
// Errors: kNotFound when a path matches nothing; kInvalidArgument for a
// Spotify export without a user; per-file failures are reported in the
// IngestReport (outcome kFailed) and the call still returns the report.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/project.h"
#include "lake/lake.h"
#include "silver/batch_processor.h"
#include "sources/csv.h"
#include "sources/format.h"

namespace playlake::silver {

struct IngestRequest {
  std::vector<std::string> paths;         // files, folders (recursively) and globs
  std::optional<sources::Format> format;  // nullopt: detect each file's format
  std::string source;                     // bronze source folder; empty: the format's name
  std::string user;                       // listener of Spotify exports and CSVs without a user
  // How CSV headers are read (--csv-map, --ts-format, sources[].csv).
  // REQUIRES: csv.Validate() succeeded.
  sources::CsvMapping csv;
  std::string timezone;                   // IANA zone of export plays; empty: their country's
  bool keep_ip_addresses = false;         // bronze keeps exports' IP addresses (docs/privacy.md)
  int threads = 0;                        // parser threads; 0: all cores
  // Parquet writer threads; 0: 2 when threads >= 2, else 1. Each holds one
  // flush of rows (ProcessorOptions::flush_rows) while it writes.
  int writer_lanes = 0;
  std::string memory_limit;               // DuckDB memory limit for silver, e.g. "1GB"
  int zstd_level = 1;                     // bronze compression level
  // Silver Parquet zstd level. 1 rather than DuckDB's default 3: on the
  // 5M-event benchmark, 8% less CPU for the whole ingest and 5% larger
  // files (still 3% smaller than DuckDB's own COPY of the same events).
  int parquet_zstd_level = 1;
  ProcessorOptions processor;             // tuning (threads is taken from `threads`)
  // Removes what crashed or failed writers left in the lake first
  // (Lake::RemoveLeftovers: a listing of every object and a read of every
  // manifest). IngestConfiguredSources does it for its first source only.
  bool remove_leftovers = true;
  // Opens input files; tests inject failures here (default: lake::OpenLocalFile).
  std::function<Result<std::unique_ptr<lake::ReadableFile>>(const std::string&)> open_input;
};

enum class Outcome {
  kCommitted,        // landed in bronze and silver
  kAlreadyIngested,  // the same input was committed before: nothing to do
  kSilverCaughtUp,   // bronze existed from an interrupted run; silver finished from it
  kEmpty,            // an empty file: nothing to land
  // Landed in bronze, but silver holds it as one quarantine row (format not
  // detected, CSV header refused): none of its plays were read. See error.
  kQuarantinedWhole,
  kFailed,  // refused; see error (nothing of it is visible in the lake)
  kSkipped,  // not a listening file (a Spotify export's SearchQueries.json, ...); see error
};
const char* OutcomeName(Outcome outcome);

struct FileReport {
  std::string path;
  std::string format;  // detected or given; "unknown" when detection failed
  Outcome outcome = Outcome::kFailed;
  std::string batch_id;
  std::uint64_t bytes = 0;
  SilverStats stats;
  std::string error;   // for kFailed and kSkipped, why; for kQuarantinedWhole "<reason>: <detail>"
  std::string source;  // bronze source folder (sources[].name, or the format)
  // Unknown fields of this file that no earlier committed batch of the same
  // source had (stats.drift has them all): a warning for the user.
  std::vector<std::string> new_fields;
  ErrorCode error_code = ErrorCode::kInternal;
};

struct IngestReport {
  std::vector<FileReport> files;
  double seconds = 0;
  std::string ToJson() const;
  // Human summary: per outcome, per format, per table, quarantine by reason.
  std::string ToText() const;
  bool AnyFailed() const;
};

// Receives progress from long ingests (called on the ingesting thread).
class Progress {
 public:
  virtual ~Progress() = default;
  virtual void OnBytes(const std::string& /*path*/, std::uint64_t /*done*/, std::uint64_t /*total*/) {}
  virtual void OnFile(const FileReport& /*file*/) {}
};

Result<IngestReport> Ingest(lake::Lake& lake, const IngestRequest& request, Progress& progress);

// Ingests every source of playlake.yml (sources[].paths/format/user, bronze
// source folder = sources[].name). Used by `playlake ingest` without paths and
// by the batch runner.
Result<IngestReport> IngestConfiguredSources(lake::Lake& lake, const config::ProjectConfig& project,
                                             Progress& progress);

// Builds silver for every bronze batch that has none yet (after a crash
// between the two commits). Ingest calls it first, holding the writer lock;
// a direct caller must hold it too.
Result<IngestReport> CatchUpSilver(lake::Lake& lake, const IngestRequest& request,
                                   Progress& progress);

// Expands files, folders and globs into a sorted list of files. Folders
// contribute files ending in .json, .jsonl, .ndjson or .csv (not hidden).
Result<std::vector<std::string>> ExpandPaths(const std::vector<std::string>& paths);

}  // namespace playlake::silver
