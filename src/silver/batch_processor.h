// SilverBatch: turns the bytes of one bronze batch into silver rows.
//
//   SilverBatch batch(lake, writer, context, options);
//   while (...) batch.Feed(bytes);     // any chunking; NDJSON is parsed as it streams
//   batch.Finish();                    // last flush; waits for every write
//   batch.files(); batch.stats();      // for the manifest (the caller commits)
//
// NDJSON and CSV are cut into regions of whole lines and parsed on `threads`
// workers (a CSV's line 1 is its header, parsed once before the first region);
// JSON-array and whole-document inputs are buffered (up to
// max_document_bytes) and parsed at Finish. Rows are deduplicated by key, first
// occurrence wins, within the batch (a hash set) and against rows already
// committed in the lake (a KeyIndex, per partition folder). Rejected records become
// quarantine rows. Every flush_rows staged rows of a table are handed to a
// WriteQueue, whose threads write them as Parquet while parsing goes on.
// Parquet files written here are invisible until the caller commits a
// manifest listing files().
//
// Ownership: borrows the lake and the writer, which must outlive it.
// Thread safety: none (it runs its own parser workers inside Feed and its
// writer threads between Feed and Finish).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lake/lake.h"
#include "silver/hash_set.h"
#include "silver/key_index.h"
#include "silver/table_writer.h"
#include "silver/write_queue.h"
#include "sources/csv.h"
#include "sources/record_parser.h"

namespace playlake::silver {

struct ProcessorOptions {
  int threads = 1;                           // parser threads
  std::size_t region_bytes = 8 << 20;        // NDJSON parsed in regions of about this size
  // Rows staged per table before writing Parquet: bounds memory (~1 KB per
  // play row staged; up to the writer's lanes + 1 flushes are in memory)
  // against file count (one file per partition per flush).
  std::int64_t flush_rows = 250'000;
  std::size_t max_record_bytes = 1 << 20;    // longer records: record_too_long
  std::size_t max_document_bytes = 1ULL << 30;  // whole-document inputs larger than this are refused
  std::size_t quarantine_raw_bytes = 64 << 10;  // raw bytes kept per quarantined record
  sources::CsvMapping csv;                      // how a CSV's header is read (Format::kCsv)
};

struct SilverStats {
  std::int64_t records = 0;      // records seen (non-blank lines, array elements, documents)
  std::int64_t blank_lines = 0;  // empty lines of NDJSON (not records)
  std::array<std::int64_t, sources::kTableCount> rows{};        // rows produced by parsing
  std::array<std::int64_t, sources::kTableCount> duplicates{};  // dropped: same key earlier in the batch
  std::array<std::int64_t, sources::kTableCount> existing{};    // dropped: key already in the lake
  std::array<std::int64_t, sources::kTableCount> written{};     // rows in Parquet files
  std::map<std::string, std::int64_t> quarantined;              // by reason
  lake::Drift drift;  // unknown fields and values, approximate zones (known at Finish)
  std::int64_t bytes = 0;
  // Why the whole input became one quarantine row (unknown format, refused
  // CSV header); empty when its records were read.
  std::string quarantined_whole;
  // Where the time went (wall seconds), for tuning; not part of the manifest.
  // Parquet is written on a background thread while parsing goes on:
  // write_seconds is that thread's time, wait_seconds the time parsing
  // waited for it (the part of writing that did not overlap).
  double parse_seconds = 0, append_seconds = 0, write_seconds = 0, wait_seconds = 0;

  // Manifest stats: records, rows.<table>, duplicates.<table>, quarantine.<reason>,
  // quarantined_whole (1 when set), ...
  std::map<std::string, std::int64_t> ToMap() const;
};

class SilverBatch {
 public:
  // What a caller that processes many batches one after the other keeps
  // between them: the writer thread, the NDJSON buffer and the emptied row
  // batches. A batch takes them over and gives them back when it is
  // destroyed, so the next one reuses that memory instead of allocating it
  // and faulting its pages in again (a stream commits a batch every few
  // hundred milliseconds). Holds at most the rows and bytes of one batch.
  // Must be destroyed before the TableWriter its queue writes with.
  struct Reusable {
    std::unique_ptr<WriteQueue> queue;
    std::vector<char> buffer;
    std::array<std::vector<sources::ColumnBatch>, sources::kTableCount> spare;
  };

  // `reuse` (optional, not owned) must outlive the batch and serve one batch at a time.
  SilverBatch(lake::Lake& lake, TableWriter& writer, sources::BatchContext context,
              ProcessorOptions options, Reusable* reuse = nullptr);
  ~SilverBatch();
  SilverBatch(const SilverBatch&) = delete;
  SilverBatch& operator=(const SilverBatch&) = delete;

  // What the lake holds before this batch, for cross-batch dedupe.
  struct Committed {
    // The committed files and the keys of their rows, by table and
    // partition folder: a row whose key the lake holds is dropped as it is
    // staged. A day's keys are read from its files once, then each commit
    // adds its own (the anti-join this replaces read every file of the day
    // again for each batch).
    KeyIndex keys;

    // Adds `added` (a manifest's files).
    void AddFiles(const std::vector<lake::DataFile>& added, lake::Storage& storage);
  };
  // Lists the committed silver files of `lake` (no keys read yet).
  static Result<Committed> LoadCommitted(const lake::Lake& lake);
  // The same from silver manifest `entries` already read.
  static Committed CommittedFrom(const std::vector<lake::ManifestEntry>& entries,
                                 lake::Storage& storage);
  // Call once before Feed; `committed` must outlive the batch (its keys are
  // read as rows need them).
  void Start(Committed& committed) { committed_ = &committed; }
  // Adds this batch's files and the keys of its rows to `committed`, once
  // it is committed.
  void MoveKeysTo(Committed& committed);
  Status Feed(std::string_view bytes);
  Status Finish();
  // Quarantines the whole input as one record (format unknown, ...).
  void QuarantineWhole(std::string_view reason, std::string detail, std::string_view head,
                       std::int64_t length);

  // Offsets first..last of the Kafka range the batch covers hold no line
  // (range.lines_offset > range.first_offset): the broker deleted them (or
  // never delivered them) before a worker read them. One quarantine row says
  // so, with the first missing offset as its line; nothing when no gap.
  // Errors: those of writing the staged rows.
  Status QuarantineOffsetGap(const lake::KafkaRange& range);

  const SilverStats& stats() const { return stats_; }
  // Data files written so far, keys relative to the lake root.
  const std::vector<lake::DataFile>& files() const { return files_; }

 private:
  struct Worker;
  Status ProcessRegion(std::size_t begin, std::size_t end, bool final_region);
  Status Absorb(Worker& worker, std::int64_t line_base);
  Status FlushTable(sources::Table table, bool force);
  // Drops the pending rows (pending_) of table `t` the lake holds.
  Status ProbePending(int t);
  KeyIndex::Reader KeyReader();  // the committed keys, through writer_
  void HoldBackFewDays(int t);
  Status Submit(sources::Table table, StagedTable rows);
  Status WaitForWrites();
  void RecordFlush(WriteQueue::Done& done);
  Status FinishDocument();
  void AddQuarantine(sources::TableBatches& out, sources::Table target, std::string_view reason,
                     std::string_view detail, std::string_view raw, std::int64_t raw_length,
                     std::int64_t line, std::int64_t offset);

  lake::Lake& lake_;
  sources::BatchContext context_;
  ProcessorOptions options_;
  sources::Framing framing_;
  std::string nonce_;
  int flushes_ = 0;

  std::vector<char> buffer_;     // NDJSON bytes not yet parsed, plus padding
  std::size_t used_ = 0;
  std::int64_t buffer_offset_ = 0;  // absolute offset of buffer_[0]
  std::int64_t next_line_ = 1;      // line number of buffer_[0]
  bool skipping_ = false;           // inside a record_too_long line
  struct LongLine {
    std::string head;               // first quarantine_raw_bytes
    std::int64_t offset = 0, line = 0, length = 0;
  } long_line_;
  Status EmitLongLine();
  std::string document_;            // whole-document inputs

  // CSV (Format::kCsv): line 1 is the header, parsed once before the first
  // region and lent to every worker's parser. A refused header (missing
  // required column, ...) quarantines the whole file as one record at Finish.
  bool TakeCsvHeader(std::size_t& begin, std::size_t end);
  void RefuseCsvHeader(std::string reason, std::string_view head);
  std::unique_ptr<sources::CsvHeader> csv_header_;
  std::string csv_refusal_;  // why the header was refused; empty: not refused
  std::string csv_head_;     // the file's first bytes, for the quarantine row

  std::vector<std::unique_ptr<Worker>> workers_;
  // Keys of the rows of this batch, by table and partition folder.
  std::array<std::map<std::string, HashSet64>, sources::kTableCount> seen_;
  std::vector<StagedTable> staged_;  // per table (AllTables order): rows not yet written
  // Per table and partition folder: staged rows (batch, row) kept until the
  // folder is probed for their keys (ProbePending, before a flush writes).
  std::array<std::map<std::string, std::vector<std::pair<std::size_t, std::size_t>>>,
             sources::kTableCount>
      pending_;
  // Per table: the rows of days a flush had few of (late events), held back
  // and written with the batch's last flush (HoldBackFewDays).
  std::vector<sources::ColumnBatch> held_;
  std::array<std::vector<sources::ColumnBatch>, sources::kTableCount> spare_;  // emptied, for reuse
  Committed* committed_ = nullptr;  // see Start
  TableWriter& writer_;             // also reads committed keys
  SilverStats stats_;
  std::vector<lake::DataFile> files_;
  Reusable* reuse_ = nullptr;  // see the constructor
  bool written_ = false;       // Finish wrote everything: the queue holds no job
  // Last: destroyed first, so the writer thread stops before anything it uses goes.
  std::unique_ptr<WriteQueue> own_queue_;  // without `reuse`
  WriteQueue* queue_ = nullptr;            // own_queue_ or reuse's
};

}  // namespace playlake::silver
