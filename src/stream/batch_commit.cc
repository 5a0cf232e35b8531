#include "stream/batch_commit.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <set>

#include "common/hash.h"
#include "lake/bronze.h"
#include "lake/zstd_stream.h"
#include "silver/ingest.h"

namespace playlake::stream {
namespace {

class NoProgress final : public silver::Progress {};

// Swaps the files a compaction replaced for its own (the same rows, so the
// keys read stay true): the replaced ones may be removed once the compaction
// is old enough (Lake::RemoveReplaced).
void Replace(silver::KeyIndex& keys, const lake::ManifestEntry& entry, lake::Storage& storage) {
  std::set<std::string> replaced;
  for (const auto& key : entry.replaces) replaced.insert(storage.Url(key));
  for (int t = 0; t < sources::kTableCount; ++t) {
    std::vector<std::string> added;
    for (const auto& f : entry.files) {
      if (f.table == sources::AllTables()[t]->name) added.push_back(storage.Url(f.key));
    }
    keys.ReplaceFiles(t, replaced, added);
  }
}

}  // namespace

void AppendMessage(std::string& lines, std::string_view value) {
  if (value.empty()) {
    lines += "null\n";
    return;
  }
  const std::size_t at = lines.size();
  lines.append(value);
  // Line breaks are rare: look for them with memchr (vectorised), not byte by byte.
  if (std::memchr(value.data(), '\n', value.size()) != nullptr ||
      std::memchr(value.data(), '\r', value.size()) != nullptr) {
    for (std::size_t i = at; i < lines.size(); ++i) {
      if (lines[i] == '\n' || lines[i] == '\r') lines[i] = ' ';
    }
  }
  lines += '\n';
}

void DropPagesPast(std::string& buffer, std::size_t keep) {
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto data = reinterpret_cast<std::uintptr_t>(buffer.data());
  // Not the page of the terminating null.
  const std::uintptr_t begin = (data + std::max(keep, buffer.size() + 1) + page - 1) & ~(page - 1);
  const std::uintptr_t end = (data + buffer.capacity()) & ~(page - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

void AppendEmptyOffsets(PartitionBatch& batch, std::int64_t n) {
  batch.lines.append(static_cast<std::size_t>(n), '\n');
  batch.empty += n;
}

std::int64_t DeletedUntil(std::int64_t from, std::int64_t to, std::int64_t low) {
  if (low < 0) return to;
  return std::clamp(low, from, to);
}

const char* CommitOutcomeName(CommitOutcome outcome) {
  switch (outcome) {
    case CommitOutcome::kCommitted:
      return "committed";
    case CommitOutcome::kAlreadyCommitted:
      return "already_committed";
    case CommitOutcome::kRefused:
      return "refused";
  }
  return "?";
}

std::string KafkaInputPath(const std::string& topic, int partition) {
  return fmt::format("kafka:{}/{}", topic, partition);
}

std::string KafkaBatchId(const std::string& topic, int partition, std::int64_t first,
                         std::int64_t last) {
  return Hash128Hex(fmt::format("kafka\x1f{}\x1f{}\x1f{}\x1f{}", topic, partition, first, last));
}

BatchCommitter::BatchCommitter(lake::Lake& lake, CommitterOptions options)
    : lake_(lake), options_(std::move(options)) {}
BatchCommitter::~BatchCommitter() = default;

Status BatchCommitter::Prepare() {
  auto fresh = record_.Refresh(lake_);
  if (!fresh) return tl::unexpected(fresh.error());
  if (!committed_) {
    committed_.emplace();
    committed_->keys = silver::KeyIndex(options_.key_budget_bytes);
    committed_->AddFiles(lake::LiveFiles(*fresh), lake_.storage());
  } else {
    for (const auto& e : *fresh) {
      if (!e.replaces.empty()) {
        Replace(committed_->keys, e, lake_.storage());
      } else {
        committed_->AddFiles(e.files, lake_.storage());
      }
    }
  }
  if (!writer_) {
    auto writer = silver::TableWriter::Create(
        silver::WriterOptions{1, 1, std::string(), options_.parquet_zstd_level});
    if (!writer) return tl::unexpected(writer.error());
    writer_ = std::move(*writer);
  }
  return {};
}

Status BatchCommitter::Refresh() {
  auto lock = lake_.storage().LockWriters([&](const std::string& holder) {
    spdlog::info("another writer ({}) holds the lake; waiting for it", holder);
  });
  if (!lock) return tl::unexpected(lock.error());
  mark_.clear();
  // A stream batch a crash left in bronze only was fenced before it was
  // written: it is the next range of its partition. Finish it first.
  silver::IngestRequest request;
  request.threads = options_.threads;
  NoProgress progress;
  auto caught_up = silver::CatchUpSilver(lake_, request, progress);
  if (!caught_up) return tl::unexpected(caught_up.error());
  for (const auto& file : caught_up->files) {
    if (file.outcome == silver::Outcome::kFailed) {
      return Fail(file.error_code,
                  fmt::format("finishing {} from bronze: {}", file.path, file.error));
    }
    spdlog::info("finished batch {} of {} from bronze (an earlier worker stopped after bronze)",
                 file.batch_id, file.path);
  }
  if (auto s = Prepare(); !s) return s;
  mark_ = (*lock)->Mark();
  return {};
}

Result<CommitResult> BatchCommitter::Commit(const PartitionBatch& batch) {
  auto lock = lake_.storage().LockWriters([&](const std::string& holder) {
    spdlog::info("another writer ({}) holds the lake; waiting for it", holder);
  });
  if (!lock) return tl::unexpected(lock.error());
  // No other writer held the lock since this committer's last commit: the
  // record and the dedupe keys are up to date without a look at the commit
  // log, which costs a listing of every manifest (0.3 s of CPU at 100,000).
  const bool unchanged = (*lock)->NoneSince(mark_);
  mark_.clear();
  if (!unchanged) {
    if (auto s = Prepare(); !s) return tl::unexpected(s.error());
  }
  auto result = CommitLocked(batch);
  if (result) mark_ = (*lock)->Mark();
  return result;
}

Result<CommitResult> BatchCommitter::CommitLocked(const PartitionBatch& batch) {
  CommitResult result;
  result.batch_id =
      KafkaBatchId(batch.topic, batch.partition, batch.first_offset, batch.last_offset);
  const auto next = record_.Next(batch.topic, batch.partition);
  if (next && *next != batch.first_offset) {
    auto silver = lake_.Find("silver", result.batch_id);
    if (!silver) return tl::unexpected(silver.error());
    result.outcome = *silver ? CommitOutcome::kAlreadyCommitted : CommitOutcome::kRefused;
    result.why = fmt::format(
        "{}: the lake holds offsets up to {}, this batch holds {}..{}: it must start at {}",
        KafkaInputPath(batch.topic, batch.partition), *next - 1, batch.first_offset,
        batch.last_offset, *next);
    return result;
  }
  lake::ManifestEntry bronze;
  bronze.layer = "bronze";
  bronze.batch_id = result.batch_id;
  bronze.source = options_.source;
  bronze.format = std::string(sources::FormatName(options_.format));
  bronze.entity = sources::EntityOf(options_.format, "kafka");
  bronze.input_path = KafkaInputPath(batch.topic, batch.partition);
  bronze.input_size = batch.lines.size();
  bronze.input_checksum = Hash128Hex(batch.lines);
  bronze.contract_version = sources::ContractVersion(options_.format);
  bronze.kafka = lake::KafkaRange{batch.topic, batch.partition, batch.first_offset,
                                  batch.last_offset, batch.lines_offset};
  bronze.stats["messages"] = batch.messages();
  bronze.stats["bytes"] = static_cast<std::int64_t>(batch.lines.size());

  auto landed = lake_.Find("bronze", result.batch_id);
  if (!landed) return tl::unexpected(landed.error());
  if (!*landed) {
    const std::string key = lake::BronzeKey(options_.source, bronze.entity, lake_.Now(),
                                            result.batch_id, lake_.NewNonce(), "jsonl");
    auto out = lake_.storage().Create(key);
    if (!out) return tl::unexpected(out.error());
    {
      lake::ZstdWriter zstd(**out, options_.zstd_level, 0);
      if (auto s = zstd.Append(batch.lines); !s) return tl::unexpected(s.error());
      if (auto s = zstd.Finish(); !s) return tl::unexpected(s.error());
    }
    lake_.faults().At("bronze-written");
    if (auto s = (*out)->Sync(); !s) return tl::unexpected(s.error());
    if (auto s = (*out)->Close(); !s) return tl::unexpected(s.error());
    lake_.faults().At("bronze-synced");
    bronze.files.push_back(lake::DataFile{bronze.entity, key, 0, (*out)->size()});
    bronze.stats["compressed_bytes"] = static_cast<std::int64_t>((*out)->size());
    if (auto c = lake_.Commit(bronze); !c) return tl::unexpected(c.error());
    lake_.faults().At("bronze-committed");
  } else {
    bronze = **landed;
  }

  sources::BatchContext context;
  context.format = options_.format;
  context.source_file = bronze.input_path;
  context.file_name = "kafka";
  context.batch_id = result.batch_id;
  context.first_line = batch.lines_offset;
  silver::ProcessorOptions processor;
  processor.threads = options_.threads;
  silver::SilverBatch rows(lake_, *writer_, std::move(context), processor, &reuse_);
  rows.Start(*committed_);
  if (auto s = rows.QuarantineOffsetGap(*bronze.kafka); !s) return tl::unexpected(s.error());
  if (auto s = rows.Feed(batch.lines); !s) return tl::unexpected(s.error());
  if (auto s = rows.Finish(); !s) return tl::unexpected(s.error());
  lake_.faults().At("silver-staged");
  std::set<std::string> folders;
  for (const auto& f : rows.files()) {
    if (auto s = lake_.storage().SyncExisting(f.key); !s) return tl::unexpected(s.error());
    const std::filesystem::path parent = std::filesystem::path(f.key).parent_path();
    folders.insert(parent.string());
    folders.insert(parent.parent_path().string());
  }
  for (const auto& folder : folders) {
    if (auto s = lake_.storage().SyncExisting(folder); !s) return tl::unexpected(s.error());
  }
  lake_.faults().At("silver-synced");
  lake::ManifestEntry silver = bronze;
  silver.layer = "silver";
  silver.files = rows.files();
  silver.stats = rows.stats().ToMap();
  silver.drift = rows.stats().drift;
  auto committed = lake_.Commit(silver);
  if (!committed) return tl::unexpected(committed.error());
  lake_.faults().At("silver-committed");
  record_.Note(silver);
  rows.MoveKeysTo(*committed_);
  result.outcome = CommitOutcome::kCommitted;
  result.stats = rows.stats();
  return result;
}

}  // namespace playlake::stream
