#include "silver/batch_processor.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>
#include <utility>

#include "common/hash.h"
#include "sources/framing.h"

namespace playlake::silver {
namespace {

using sources::ColumnBatch;
using sources::Rejection;
using sources::Table;
using sources::TableBatches;

constexpr std::size_t kPadding = sources::kRecordPadding;
// Emptied batches kept per table for reuse: enough for the regions parsed
// while the next flush is written, few enough to bound memory.
constexpr std::size_t kMaxSpareBatches = 16;
// A region's rows of a partition folder whose keys are not in memory, up to
// which their keys are probed for (KeyIndex::Probe) rather than the folder's
// keys read: after 10,000 new plays of the 5M benchmark, reading the 500,000
// keys of the three older days its late plays fell on made the ingest
// 0.17-0.22 s, probing for those plays' keys 0.13-0.17 s.
constexpr std::size_t kProbeRows = 4096;

// Index of the 1-based line column of each table (source_line / line).
int LineColumn(const sources::TableSpec& spec) {
  for (std::size_t i = 0; i < spec.columns.size(); ++i) {
    if (spec.columns[i].name == "source_line" || spec.columns[i].name == "line") {
      return static_cast<int>(i);
    }
  }
  return -1;
}

// Index of `spec` in sources::AllTables().
int TableIndex(const sources::TableSpec& spec) {
  const auto tables = sources::AllTables();
  for (std::size_t t = 0; t < tables.size(); ++t) {
    if (tables[t] == &spec) return static_cast<int>(t);
  }
  return static_cast<int>(Table::kQuarantine);  // not reached: every spec is in AllTables
}

// Index of the table named `name` in sources::AllTables(); -1 when none is.
int TableNamed(std::string_view name) {
  const auto tables = sources::AllTables();
  for (std::size_t t = 0; t < tables.size(); ++t) {
    if (tables[t]->name == name) return static_cast<int>(t);
  }
  return -1;
}

bool IsBlank(std::string_view line) {
  return std::all_of(line.begin(), line.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

}  // namespace

std::map<std::string, std::int64_t> SilverStats::ToMap() const {
  std::map<std::string, std::int64_t> m;
  m["records"] = records;
  m["blank_lines"] = blank_lines;
  m["bytes"] = bytes;
  for (int t = 0; t < sources::kTableCount; ++t) {
    const std::string name(sources::AllTables()[t]->name);
    if (rows[t] == 0) continue;
    m["rows." + name] = rows[t];
    m["written." + name] = written[t];
    m["duplicates." + name] = duplicates[t];
    m["existing." + name] = existing[t];
  }
  for (const auto& [reason, n] : quarantined) m["quarantine." + reason] = n;
  if (!quarantined_whole.empty()) m["quarantined_whole"] = 1;
  return m;
}

struct SilverBatch::Worker {
  explicit Worker(const sources::BatchContext& ctx) : parser(ctx) {}
  sources::RecordParser parser;
  TableBatches out;
  std::int64_t records = 0;
  std::int64_t blank_lines = 0;
  std::int64_t lines = 0;  // newlines consumed (for the next worker's line base)
  std::optional<Error> error;
};

SilverBatch::SilverBatch(lake::Lake& lake, TableWriter& writer, sources::BatchContext context,
                         ProcessorOptions options, Reusable* reuse)
    : lake_(lake),
      context_(std::move(context)),
      options_(options),
      framing_(sources::FramingOf(context_.format)),
      nonce_(lake.NewNonce()),
      writer_(writer),
      reuse_(reuse) {
  if (reuse_ != nullptr) {
    if (!reuse_->queue) reuse_->queue = std::make_unique<WriteQueue>(writer);
    queue_ = reuse_->queue.get();
    buffer_ = std::move(reuse_->buffer);
    buffer_.clear();  // keeps its capacity
    spare_ = std::move(reuse_->spare);
  } else {
    own_queue_ = std::make_unique<WriteQueue>(writer);
    queue_ = own_queue_.get();
  }
  for (const sources::TableSpec* spec : sources::AllTables()) {
    staged_.emplace_back(*spec);
    held_.emplace_back(*spec);
  }
  next_line_ = context_.first_line;
  const int threads = std::max(1, options_.threads);
  for (int i = 0; i < threads; ++i) workers_.push_back(std::make_unique<Worker>(context_));
}

SilverBatch::~SilverBatch() {
  if (reuse_ == nullptr) return;
  // A batch that failed may leave jobs in the queue, whose targets point
  // into this batch: stopping the queue waits for them (a new one starts
  // with the next batch).
  if (!written_) reuse_->queue.reset();
  reuse_->buffer = std::move(buffer_);
  reuse_->spare = std::move(spare_);
}

void SilverBatch::Committed::AddFiles(const std::vector<lake::DataFile>& added,
                                      lake::Storage& storage) {
  for (const auto& f : added) {
    if (const int t = TableNamed(f.table); t >= 0) keys.AddFile(t, storage.Url(f.key));
  }
}

Result<SilverBatch::Committed> SilverBatch::LoadCommitted(const lake::Lake& lake) {
  auto entries = lake.Entries("silver");
  if (!entries) return tl::unexpected(entries.error());
  return CommittedFrom(*entries, const_cast<lake::Lake&>(lake).storage());
}

SilverBatch::Committed SilverBatch::CommittedFrom(const std::vector<lake::ManifestEntry>& entries,
                                                  lake::Storage& storage) {
  Committed committed;
  committed.AddFiles(lake::LiveFiles(entries), storage);  // without files a compaction replaced
  return committed;
}

void SilverBatch::MoveKeysTo(Committed& committed) {
  std::array<std::vector<std::string>, sources::kTableCount> files;
  for (const auto& f : files_) {
    if (const int t = TableNamed(f.table); t >= 0) files[t].push_back(lake_.storage().Url(f.key));
  }
  for (int t = 0; t < sources::kTableCount; ++t) {
    if (static_cast<Table>(t) == Table::kQuarantine) continue;
    committed.keys.AddBatch(t, files[t], seen_[t]);
    seen_[t].clear();
  }
}

void SilverBatch::AddQuarantine(TableBatches& out, Table target, std::string_view reason,
                                std::string_view detail, std::string_view raw,
                                std::int64_t raw_length, std::int64_t line, std::int64_t offset) {
  ColumnBatch& q = out[Table::kQuarantine];
  const std::string id_input = fmt::format("{}\x1f{}\x1f{}", context_.batch_id, offset, reason);
  q.AddRow();
  q.SetKey(Hash128Hex(id_input));
  q.SetText(sources::kQTargetTable, sources::SpecOf(target).name);
  q.SetText(sources::kQReason, reason);
  q.SetText(sources::kQDetail, detail);
  q.SetText(sources::kQSourceFormat, context_.format_label.empty()
                                         ? sources::FormatName(context_.format)
                                         : std::string_view(context_.format_label));
  q.SetText(sources::kQSourceFile, context_.source_file);
  q.SetInt(sources::kQLine, line);
  q.SetInt(sources::kQByteOffset, offset);
  q.SetText(sources::kQRaw, raw.substr(0, options_.quarantine_raw_bytes).data() == nullptr
                                ? std::string_view("", 0)
                                : raw.substr(0, options_.quarantine_raw_bytes));
  q.SetInt(sources::kQRawLength, raw_length);
  q.SetText(sources::kQBatchId, context_.batch_id);
}

void SilverBatch::QuarantineWhole(std::string_view reason, std::string detail,
                                  std::string_view head, std::int64_t length) {
  Worker& w = *workers_[0];
  AddQuarantine(w.out, workers_[0]->parser.DefaultTarget(), reason, detail, head, length, 1, 0);
  ++stats_.records;
  stats_.quarantined_whole = fmt::format("{}: {}", reason, detail);
  (void)Absorb(w, 0);
}

Status SilverBatch::QuarantineOffsetGap(const lake::KafkaRange& range) {
  if (range.lines_offset <= range.first_offset) return {};
  const std::int64_t last = range.lines_offset - 1;
  Worker& w = *workers_[0];
  AddQuarantine(w.out, workers_[0]->parser.DefaultTarget(), sources::reason::kOffsetsDeleted,
                fmt::format("offsets {}..{} of {} ({} messages) were deleted by the broker before "
                            "they were read",
                            range.first_offset, last, context_.source_file,
                            last - range.first_offset + 1),
                std::string_view(), 0, range.first_offset, 0);
  ++stats_.records;
  return Absorb(w, 0);
}

Status SilverBatch::Feed(std::string_view bytes) {
  stats_.bytes += static_cast<std::int64_t>(bytes.size());
  if (framing_ != sources::Framing::kLines) {
    if (document_.size() + bytes.size() > options_.max_document_bytes) {
      return Fail(ErrorCode::kData,
                  fmt::format("{}: a {} file must be one JSON document of at most {} MiB; split it",
                              context_.source_file, sources::FormatName(context_.format),
                              options_.max_document_bytes >> 20));
    }
    document_.append(bytes);
    return {};
  }
  while (!bytes.empty()) {
    if (skipping_) {
      const void* nl = std::memchr(bytes.data(), '\n', bytes.size());
      const std::size_t n = nl ? static_cast<const char*>(nl) - bytes.data() + 1 : bytes.size();
      buffer_offset_ += static_cast<std::int64_t>(n);
      long_line_.length += static_cast<std::int64_t>(nl ? n - 1 : n);
      bytes.remove_prefix(n);
      if (nl) {
        if (auto s = EmitLongLine(); !s) return s;
        ++next_line_;
      }
      continue;
    }
    // Take as much as fits in one region.
    const std::size_t room = std::max<std::size_t>(options_.region_bytes, used_ + 1) - used_;
    const std::size_t take = std::min(room, bytes.size());
    if (buffer_.size() < used_ + take + kPadding) buffer_.resize(used_ + take + kPadding);
    std::memcpy(buffer_.data() + used_, bytes.data(), take);
    used_ += take;
    bytes.remove_prefix(take);
    if (used_ < options_.region_bytes && bytes.empty()) break;  // wait for more input
    // Parse every complete line; keep the partial last line for later.
    const char* data = buffer_.data();
    const char* last_nl = static_cast<const char*>(memrchr(data, '\n', used_));
    if (last_nl == nullptr) {
      if (used_ > options_.max_record_bytes) {
        // One line longer than a region: keep its head, skip the rest, and
        // quarantine it when its end (and so its length) is known.
        long_line_.head.assign(data, std::min(used_, options_.quarantine_raw_bytes));
        long_line_.offset = buffer_offset_;
        long_line_.line = next_line_;
        long_line_.length = static_cast<std::int64_t>(used_);
        buffer_offset_ += static_cast<std::int64_t>(used_);
        used_ = 0;
        skipping_ = true;
      }
      continue;
    }
    const std::size_t end = static_cast<std::size_t>(last_nl - data) + 1;
    if (auto s = ProcessRegion(0, end, false); !s) return s;
    std::memmove(buffer_.data(), buffer_.data() + end, used_ - end);
    used_ -= end;
    buffer_offset_ += static_cast<std::int64_t>(end);
  }
  return {};
}

Status SilverBatch::EmitLongLine() {
  skipping_ = false;
  if (context_.format == sources::Format::kCsv && !csv_header_) {
    // Line 1 (the header) is the long line, or the header was refused before.
    RefuseCsvHeader(fmt::format("the CSV header (line 1) is {} bytes long (limit {})",
                                long_line_.length, options_.max_record_bytes),
                    long_line_.head);
    long_line_.head.clear();
    return {};
  }
  Worker& w = *workers_[0];
  AddQuarantine(w.out, w.parser.DefaultTarget(), sources::reason::kRecordTooLong,
                fmt::format("record of {} bytes (limit {}); only its start is kept",
                            long_line_.length, options_.max_record_bytes),
                long_line_.head, long_line_.length, 1, long_line_.offset);
  ++stats_.records;
  long_line_.head.clear();
  return Absorb(w, long_line_.line - 1);
}

Status SilverBatch::ProcessRegion(std::size_t begin, std::size_t end, bool final_region) {
  (void)final_region;
  // A UTF-8 byte order mark starts no record (NDJSON or CSV).
  if (buffer_offset_ == 0 && begin == 0 &&
      std::string_view(buffer_.data(), end).starts_with("\xEF\xBB\xBF")) {
    begin = 3;
  }
  if (context_.format == sources::Format::kCsv && !TakeCsvHeader(begin, end)) return {};
  const char* data = buffer_.data();
  const std::size_t capacity_end = buffer_.size();
  // Split at line boundaries into one part per worker.
  const std::size_t nparts = std::min<std::size_t>(workers_.size(), std::max<std::size_t>(1, (end - begin) >> 16));
  std::vector<std::pair<std::size_t, std::size_t>> parts;
  std::size_t start = begin;
  for (std::size_t p = 0; p < nparts && start < end; ++p) {
    std::size_t stop = p + 1 == nparts ? end : begin + (end - begin) * (p + 1) / nparts;
    if (stop < start) stop = start;
    if (stop < end) {
      const void* nl = std::memchr(data + stop, '\n', end - stop);
      stop = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - data) + 1 : end;
    }
    parts.emplace_back(start, stop);
    start = stop;
  }
  auto run = [&](std::size_t index) {
    Worker& w = *workers_[index];
    const auto [from, to] = parts[index];
    std::size_t pos = from;
    std::int64_t local_line = 0;
    while (pos < to) {
      const void* nl_ptr = std::memchr(data + pos, '\n', to - pos);
      const std::size_t line_end =
          nl_ptr ? static_cast<std::size_t>(static_cast<const char*>(nl_ptr) - data) : to;
      ++local_line;
      std::string_view line(data + pos, line_end - pos);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      const std::int64_t offset = buffer_offset_ + static_cast<std::int64_t>(pos);
      pos = nl_ptr ? line_end + 1 : to;
      if (IsBlank(line)) {
        ++w.blank_lines;
        continue;
      }
      ++w.records;
      if (line.size() > options_.max_record_bytes) {
        AddQuarantine(w.out, w.parser.DefaultTarget(), sources::reason::kRecordTooLong,
                      fmt::format("record of {} bytes (limit {})", line.size(), options_.max_record_bytes),
                      line, static_cast<std::int64_t>(line.size()), local_line, offset);
        continue;
      }
      const std::size_t capacity = capacity_end - static_cast<std::size_t>(line.data() - data);
      auto result = w.parser.Parse(line, capacity, local_line, w.out);
      if (!result) {
        w.error = result.error();
        return;
      }
      if (const auto& rejection = *result) {
        AddQuarantine(w.out, rejection->target, rejection->reason, rejection->detail, line,
                      static_cast<std::int64_t>(line.size()), local_line, offset);
      }
    }
    w.lines = local_line;
  };
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < parts.size(); ++i) threads.emplace_back(run, i);
  if (!parts.empty()) run(0);
  for (auto& t : threads) t.join();
  stats_.parse_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::int64_t line_base = next_line_ - 1;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    Worker& w = *workers_[i];
    if (w.error) {
      Error e = *w.error;
      w.error.reset();
      return tl::unexpected(std::move(e));
    }
    stats_.records += w.records;
    stats_.blank_lines += w.blank_lines;
    w.records = w.blank_lines = 0;
    if (auto s = Absorb(w, line_base); !s) return s;
    line_base += w.lines;
  }
  next_line_ = line_base + 1;
  return {};
}

Status SilverBatch::Absorb(Worker& w, std::int64_t line_base) {
  for (int t = 0; t < sources::kTableCount; ++t) {
    ColumnBatch& batch = w.out.batches[t];
    if (batch.rows() == 0) continue;
    if (line_base != 0) batch.AddToInts(LineColumn(batch.spec()), line_base);
    std::vector<std::uint8_t> keep(batch.rows(), 1);
    std::int64_t kept = 0, existing = 0;
    const sources::TableSpec& spec = batch.spec();
    const bool quarantine = static_cast<Table>(t) == Table::kQuarantine;
    const bool dedupe = committed_ && !quarantine;
    auto partition_of = [&](std::size_t r) {
      return spec.partition >= 0 && batch.IsValid(spec.partition, r) ? batch.Int(spec.partition, r)
                                                                     : KeyIndex::kNoPartition;
    };
    // Rows of each partition: those of a folder with few of them whose keys
    // are not in memory are staged as pending, the folder probed for their
    // keys before they are written (ProbePending). Rows come in runs of one
    // partition: its count is looked up when the partition changes.
    std::map<std::int64_t, std::size_t> partition_rows;
    std::optional<std::int64_t> counted;
    std::size_t* count = nullptr;
    for (std::size_t r = 0; dedupe && r < batch.rows(); ++r) {
      if (const std::int64_t value = partition_of(r); value != counted) {
        counted = value;
        count = &partition_rows[value];
      }
      ++*count;
    }
    std::map<std::string, std::vector<std::size_t>> probed_rows;  // folder → rows to probe for
    // The keys of the row's partition folder: looked up again only when the
    // partition changes from the row before (rows of a batch share a few days).
    std::optional<std::int64_t> day;
    HashSet64* seen = nullptr;
    const HashSet64* committed = nullptr;
    std::vector<std::size_t>* probed = nullptr;
    for (std::size_t r = 0; r < batch.rows(); ++r) {
      const std::int64_t value = partition_of(r);
      if (day != value) {
        day = value;
        const std::string folder = KeyIndex::FolderFor(spec, value);
        seen = &seen_[t][folder];
        committed = nullptr;
        probed = nullptr;
        if (dedupe) {
          if (partition_rows[value] <= kProbeRows && committed_->keys.ShouldProbe(t, folder)) {
            probed = &probed_rows[folder];
          } else {
            auto keys = committed_->keys.Keys(t, folder, KeyReader());
            if (!keys) return tl::unexpected(keys.error());
            committed = *keys;
          }
        }
      }
      const std::uint64_t key = batch.KeyHash(r);
      keep[r] = seen->Insert(key) ? 1 : 0;  // first in this batch
      if (keep[r] && committed && committed->Contains(key)) {
        keep[r] = 0;  // the lake holds it
        ++existing;
      }
      if (keep[r] && probed && batch.IsValid(spec.key, r)) probed->push_back(r);
      kept += keep[r];
    }
    const auto rows = static_cast<std::int64_t>(batch.rows());
    if (static_cast<Table>(t) == Table::kQuarantine) {
      for (std::size_t r = 0; r < batch.rows(); ++r) {
        ++stats_.quarantined[std::string(batch.Text(sources::kQReason, r))];
      }
    } else {
      stats_.rows[t] += rows;
      stats_.duplicates[t] += rows - kept - existing;
      stats_.existing[t] += existing;
    }
    const auto started = std::chrono::steady_clock::now();
    // The stage takes the batch; the worker goes on with an empty one of the
    // same size, reused from a written flush when there is one.
    const std::size_t size = batch.rows();
    for (auto& [folder, rows] : probed_rows) {
      auto& pending = pending_[t][folder];
      for (const std::size_t r : rows) pending.emplace_back(staged_[t].batches.size(), r);
    }
    if (spare_[t].empty()) {
      staged_[t].Add(std::exchange(batch, ColumnBatch(batch.spec())), std::move(keep));
    } else {
      staged_[t].Add(std::exchange(batch, std::move(spare_[t].back())), std::move(keep));
      spare_[t].pop_back();
    }
    batch.Reserve(size + size / 8);  // the next part has about as many rows
    stats_.append_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (auto s = FlushTable(static_cast<Table>(t), false); !s) return s;
  }
  return {};
}

Status SilverBatch::FlushTable(Table table, bool force) {
  const int t = static_cast<int>(table);
  const sources::TableSpec& spec = sources::SpecOf(table);
  StagedTable& staged = staged_[t];
  if (!force && staged.rows == 0) {
    staged = StagedTable(spec);  // every row was a duplicate
    return {};
  }
  if (!force && staged.rows < options_.flush_rows) return {};
  if (auto s = ProbePending(t); !s) return s;
  if (!force) HoldBackFewDays(t);
  ColumnBatch& held = held_[t];
  if (held.rows() > 0 &&
      (force || held.rows() >= static_cast<std::size_t>(options_.flush_rows))) {
    std::vector<std::uint8_t> keep(held.rows(), 1);
    staged.Add(std::exchange(held, ColumnBatch(spec)), std::move(keep));
  }
  return Submit(table, std::exchange(staged, StagedTable(spec)));  // nothing when no rows
}

KeyIndex::Reader SilverBatch::KeyReader() {
  return [this](const auto& files, auto column, auto only, const auto& each) {
    return writer_.ReadColumn(files, column, only, each);
  };
}

// One probe per folder for all its pending rows of the flush: a folder few
// rows of each region fall in (a late day) is probed once, not once a region.
Status SilverBatch::ProbePending(int t) {
  StagedTable& staged = staged_[t];
  const sources::TableSpec& spec = *staged.spec;
  for (const auto& [folder, rows] : std::exchange(pending_[t], {})) {
    std::vector<std::string_view> keys;
    keys.reserve(rows.size());
    for (const auto& [b, r] : rows) keys.push_back(staged.batches[b].Text(spec.key, r));
    auto held = committed_->keys.Probe(t, folder, keys, KeyReader());
    if (!held) return tl::unexpected(held.error());
    for (const auto& [b, r] : rows) {
      if (!held->Contains(staged.batches[b].KeyHash(r))) continue;
      staged.keeps[b][r] = 0;  // the lake holds it
      --staged.rows;
      ++stats_.existing[t];
    }
  }
  return {};
}

// A flush writes a file in every day (partition) its rows fall in, so the late
// events of a day's file would leave a file of a few rows in each day around it
// at every flush. The days with fewer than an eighth of the flush's rows are
// held back (copied out, their rows dropped from the flush) when together they
// are less than an eighth of it, and written with the batch's last flush (or
// sooner, once they are a flush's worth): one file per day and batch.
void SilverBatch::HoldBackFewDays(int t) {
  constexpr std::int64_t kShare = 8;
  const sources::TableSpec& spec = *sources::AllTables()[t];
  StagedTable& staged = staged_[t];
  if (spec.partition < 0) return;
  auto day_of = [&](const ColumnBatch& batch, std::size_t r) {
    return batch.IsValid(spec.partition, r) ? batch.Int(spec.partition, r) : KeyIndex::kNoPartition;
  };
  // Rows come in runs of one day: the count is looked up when the day changes.
  std::map<std::int64_t, std::int64_t> rows_of_day;
  std::optional<std::int64_t> day;
  std::int64_t* count = nullptr;
  for (std::size_t b = 0; b < staged.batches.size(); ++b) {
    for (std::size_t r = 0; r < staged.batches[b].rows(); ++r) {
      if (!staged.keeps[b][r]) continue;
      if (const std::int64_t d = day_of(staged.batches[b], r); d != day) {
        day = d;
        count = &rows_of_day[d];
      }
      ++*count;
    }
  }
  const std::int64_t few = staged.rows / kShare;
  std::int64_t held = 0;
  for (auto it = rows_of_day.begin(); it != rows_of_day.end();) {
    if (it->second < few) {
      held += it->second;
      ++it;
    } else {
      it = rows_of_day.erase(it);  // left: the days kept in this flush
    }
  }
  if (held == 0 || held >= few) return;
  for (std::size_t b = 0; b < staged.batches.size(); ++b) {
    for (std::size_t r = 0; r < staged.batches[b].rows(); ++r) {
      if (staged.keeps[b][r] && rows_of_day.contains(day_of(staged.batches[b], r))) {
        held_[t].AppendRow(staged.batches[b], r);
        staged.keeps[b][r] = 0;
      }
    }
  }
  staged.rows -= held;
}

Status SilverBatch::Submit(Table table, StagedTable rows) {
  if (rows.rows == 0) return {};
  const sources::TableSpec& spec = sources::SpecOf(table);
  const std::string folder_key = table == Table::kQuarantine ? std::string("silver/_quarantine")
                                                              : "silver/" + std::string(spec.name);
  if (auto s = lake_.storage().PrepareFolder(folder_key); !s) return s;
  WriteTarget target;
  target.folder = lake_.storage().Url(folder_key);
  target.file_stem = fmt::format("{}.{}.{}", context_.batch_id, nonce_, flushes_++);
  target.prepare_partition = [this, folder_key](const std::string& partition) {
    return lake_.storage().PrepareFolder(folder_key + "/" + partition);
  };
  // The queue takes the rows; a writer thread writes them while parsing goes on.
  WriteQueue::Job job{std::move(rows), std::move(target)};
  const auto started = std::chrono::steady_clock::now();
  auto previous = queue_->Submit(std::move(job));
  stats_.wait_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!previous) return tl::unexpected(previous.error());
  for (auto& done : *previous) RecordFlush(done);
  return {};
}

Status SilverBatch::WaitForWrites() {
  const auto started = std::chrono::steady_clock::now();
  auto last = queue_->Wait();
  stats_.wait_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!last) return tl::unexpected(last.error());
  for (auto& done : *last) RecordFlush(done);
  return {};
}

void SilverBatch::RecordFlush(WriteQueue::Done& done) {
  const sources::TableSpec& spec = *done.spec;
  const FlushResult& flushed = done.result;
  stats_.write_seconds += done.seconds;
  const int t = TableIndex(spec);
  stats_.written[t] += flushed.written;
  const std::string root = lake_.storage().Url("");
  const std::string schema = flushed.files.empty() ? "" : FileSchemaFingerprint(spec);
  for (const auto& f : flushed.files) {
    lake::DataFile file;
    file.table = std::string(spec.name);
    file.schema = schema;
    file.key = f.path.starts_with(root) ? f.path.substr(root.size()) : f.path;
    file.rows = f.rows;
    std::error_code ec;
    file.bytes = std::filesystem::file_size(f.path, ec);
    files_.push_back(std::move(file));
  }
  // Written batches are emptied and reused: no new memory to allocate and
  // fault in for the next rows. A flush's worth at most is kept.
  for (auto& batch : done.batches) {
    if (spare_[t].size() >= kMaxSpareBatches) break;
    batch.Clear();
    spare_[t].push_back(std::move(batch));
  }
}

Status SilverBatch::FinishDocument() {
  const sources::FramedDocument doc = framing_ == sources::Framing::kJsonArray
                                          ? sources::FrameJsonArray(document_)
                                          : sources::FrameJsonValues(document_);
  document_.append(kPadding, ' ');
  Worker& w = *workers_[0];
  for (const auto& span : doc.records) {
    ++stats_.records;
    std::string_view record(document_.data() + span.begin, span.end - span.begin);
    if (record.size() > options_.max_record_bytes) {
      AddQuarantine(w.out, w.parser.DefaultTarget(), sources::reason::kRecordTooLong,
                    fmt::format("record of {} bytes (limit {})", record.size(), options_.max_record_bytes),
                    record, static_cast<std::int64_t>(record.size()), span.line,
                    static_cast<std::int64_t>(span.begin));
      continue;
    }
    auto result = w.parser.Parse(record, document_.size() - span.begin, span.line, w.out);
    if (!result) return tl::unexpected(result.error());
    if (const auto& rejection = *result) {
      AddQuarantine(w.out, rejection->target, rejection->reason, rejection->detail, record,
                    static_cast<std::int64_t>(record.size()), span.line,
                    static_cast<std::int64_t>(span.begin));
    }
    // Keep memory bounded for very large exports.
    if (w.out[Table::kPlays].rows() >= 65536) {
      if (auto s = Absorb(w, 0); !s) return s;
    }
  }
  if (doc.has_bad_tail) {
    ++stats_.records;
    const std::string_view tail(document_.data() + doc.bad_tail.begin,
                                doc.bad_tail.end - doc.bad_tail.begin);
    AddQuarantine(w.out, w.parser.DefaultTarget(), doc.bad_reason, doc.bad_detail, tail,
                  static_cast<std::int64_t>(tail.size()), doc.bad_tail.line,
                  static_cast<std::int64_t>(doc.bad_tail.begin));
  }
  if (auto s = Absorb(w, 0); !s) return s;
  document_.clear();
  document_.shrink_to_fit();
  return {};
}

Status SilverBatch::Finish() {
  if (framing_ == sources::Framing::kLines) {
    if (skipping_) {
      if (auto s = EmitLongLine(); !s) return s;
    } else if (used_ > 0) {
      if (buffer_.size() < used_ + kPadding) buffer_.resize(used_ + kPadding);
      if (auto s = ProcessRegion(0, used_, true); !s) return s;
      buffer_offset_ += static_cast<std::int64_t>(used_);
      used_ = 0;
    }
  } else {
    if (auto s = FinishDocument(); !s) return s;
  }
  if (!csv_refusal_.empty()) {
    QuarantineWhole(sources::reason::kInvalidCsvHeader, csv_refusal_, csv_head_, stats_.bytes);
  }
  for (const auto& w : workers_) stats_.drift.Merge(w->parser.drift());
  for (int t = 0; t < sources::kTableCount; ++t) {
    if (auto s = FlushTable(static_cast<Table>(t), true); !s) return s;
  }
  if (auto s = WaitForWrites(); !s) return s;
  written_ = true;
  return {};
}

// CSV: the header line ------------------------------------------------------

// Takes line 1 off the first region of a CSV and gives the header to every
// worker. Returns false when the region's rows must not be parsed: the header
// was refused, and the file will be quarantined whole at Finish.
bool SilverBatch::TakeCsvHeader(std::size_t& begin, std::size_t end) {
  if (csv_header_) return true;
  if (!csv_refusal_.empty()) return false;
  const char* data = buffer_.data();
  const void* nl = std::memchr(data + begin, '\n', end - begin);
  const std::size_t line_end =
      nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - data) : end;
  const std::string_view head(data + begin, end - begin);
  const std::string_view line(data + begin, line_end - begin);
  if (line.size() > options_.max_record_bytes) {
    RefuseCsvHeader(fmt::format("the CSV header (line 1) is {} bytes long (limit {})", line.size(),
                                options_.max_record_bytes),
                    head);
    return false;
  }
  auto header = sources::CsvHeader::Parse(line, options_.csv);
  if (!header) {
    RefuseCsvHeader(header.error().message, head);
    return false;
  }
  csv_header_ = std::make_unique<sources::CsvHeader>(std::move(*header));
  for (auto& w : workers_) w->parser.SetCsvHeader(csv_header_.get());
  if (csv_header_->line1_is_data()) return true;
  begin = nl ? line_end + 1 : end;
  ++next_line_;
  return true;
}

void SilverBatch::RefuseCsvHeader(std::string reason, std::string_view head) {
  if (!csv_refusal_.empty()) return;
  csv_refusal_ = fmt::format("{}; the file is quarantined whole (see docs/silver.md, CSV input)",
                             std::move(reason));
  csv_head_.assign(head.substr(0, options_.quarantine_raw_bytes));
}

}  // namespace playlake::silver
