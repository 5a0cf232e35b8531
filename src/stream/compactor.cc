#include "stream/compactor.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <map>

#include "common/hash.h"
#include "warehouse/duckdb.h"

namespace playlake::stream {
namespace {

std::string FolderOf(const std::string& key) {
  return std::filesystem::path(key).parent_path().generic_string();
}

// Cuts `files` (in commit order) into runs of about `target` bytes; a run of
// one file would only be rewritten as itself, so it is left out.
std::vector<std::vector<lake::DataFile>> CutRuns(const std::vector<lake::DataFile>& files,
                                                 std::uint64_t target) {
  std::vector<std::vector<lake::DataFile>> runs(1);
  std::uint64_t bytes = 0;
  for (const auto& f : files) {
    if (!runs.back().empty() && bytes + f.bytes > target) {
      runs.emplace_back();
      bytes = 0;
    }
    runs.back().push_back(f);
    bytes += f.bytes;
  }
  std::erase_if(runs, [](const auto& run) { return run.size() < 2; });
  return runs;
}

// The rows DuckDB's COPY reports it wrote.
Result<std::int64_t> CopiedRows(const warehouse::Table& result) {
  std::int64_t rows = -1;
  if (!result.rows.empty() && !result.rows[0].empty() && result.rows[0][0]) {
    const std::string& text = *result.rows[0][0];
    std::from_chars(text.data(), text.data() + text.size(), rows);
  }
  if (rows < 0) return Fail(ErrorCode::kWarehouse, "COPY did not report the rows it wrote");
  return rows;
}

}  // namespace

std::int64_t CompactionPlan::files() const {
  std::int64_t n = 0;
  for (const auto& run : runs) n += static_cast<std::int64_t>(run.size());
  return n;
}

void CompactionSummary::Add(const PartitionResult& p) {
  if (!p.committed) return;
  ++partitions;
  files_before += p.files_before;
  files_after += p.files_after;
  bytes_before += p.bytes_before;
  bytes_after += p.bytes_after;
  rows += p.rows;
}

std::vector<CompactionPlan> PlanCompactions(std::vector<lake::DataFile> live,
                                            const CompactOptions& options) {
  const std::uint64_t small = options.target_bytes / 4;
  std::map<std::pair<std::string, std::string>, std::vector<lake::DataFile>> by_folder;
  for (auto& f : live) {
    if (f.bytes < small) by_folder[{FolderOf(f.key), f.table}].push_back(std::move(f));
  }
  std::vector<CompactionPlan> plans;
  for (const auto& [where, files] : by_folder) {
    if (static_cast<int>(files.size()) < std::max(2, options.min_files)) continue;
    CompactionPlan plan;
    plan.table = where.second;
    plan.folder = where.first;
    plan.runs = CutRuns(files, options.target_bytes);
    if (!plan.runs.empty()) plans.push_back(std::move(plan));
  }
  return plans;
}

std::string CompactionBatchId(std::vector<std::string> keys) {
  std::sort(keys.begin(), keys.end());
  std::string text = "compact";
  for (const auto& k : keys) text += '\x1f' + k;
  return Hash128Hex(text).substr(0, 24);
}

Compactor::Compactor(lake::Lake& lake, CompactOptions options)
    : lake_(lake), options_(std::move(options)) {}

Result<CompactionSummary> Compactor::Run(
    const std::function<void(const PartitionResult&)>& on_partition) {
  const auto started = std::chrono::steady_clock::now();
  if (auto s = live_.Refresh(lake_); !s) return tl::unexpected(s.error());
  CompactionSummary summary;
  for (const auto& plan : PlanCompactions(live_.Files(), options_)) {
    if (options_.stop_requested && options_.stop_requested()) break;
    auto done = Compact(plan);
    if (!done) return tl::unexpected(done.error());
    summary.Add(*done);
    if (on_partition) on_partition(*done);
  }
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

Result<PartitionResult> Compactor::Compact(const CompactionPlan& plan) {
  const auto started = std::chrono::steady_clock::now();
  PartitionResult result;
  result.table = plan.table;
  result.folder = plan.folder;
  std::vector<std::string> replaced;
  for (const auto& run : plan.runs) {
    for (const auto& f : run) {
      replaced.push_back(f.key);
      result.bytes_before += f.bytes;
      result.rows += f.rows;
    }
  }
  result.files_before = static_cast<std::int64_t>(replaced.size());
  result.batch_id = CompactionBatchId(replaced);

  lake::Storage& storage = lake_.storage();
  std::vector<lake::DataFile> written;
  // Until the entry is published our files are invisible; on any failure or
  // a lost race they go (best effort: else `playlake vacuum` removes them).
  auto discard = [&] {
    for (const auto& f : written) (void)storage.Remove(f.key);
  };
  auto fail = [&](Error error) -> Result<PartitionResult> {
    discard();
    return tl::unexpected(std::move(error));
  };

  warehouse::DatabaseOptions db_options;
  db_options.threads = options_.threads;
  auto db = warehouse::Database::Open("", db_options);
  if (!db) return tl::unexpected(db.error());
  auto conn = (*db)->Connect();
  if (!conn) return tl::unexpected(conn.error());
  const std::string nonce = lake_.NewNonce();
  for (std::size_t i = 0; i < plan.runs.size(); ++i) {
    const auto& run = plan.runs[i];
    lake::DataFile out{plan.table,
                       fmt::format("{}/{}.{}.{}.parquet", plan.folder, result.batch_id, nonce, i)};
    std::string urls;
    std::int64_t rows = 0;
    for (const auto& f : run) {
      urls += (urls.empty() ? "" : ", ") + warehouse::QuoteLiteral(storage.Url(f.key));
      rows += f.rows;
    }
    // Files of one schema merge into a file of that schema; files of several
    // (or of unknown) schemas into the union of their columns, left unknown.
    if (std::all_of(run.begin(), run.end(), [&](const lake::DataFile& f) {
          return !f.schema.empty() && f.schema == run.front().schema;
        })) {
      out.schema = run.front().schema;
    }
    // The files' own columns in commit order: the partition column stays in
    // the folder name, as silver writes it.
    const std::string sql = fmt::format(
        "COPY (SELECT * FROM read_parquet([{}], hive_partitioning = false, union_by_name = true)) "
        "TO {} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL {})",
        urls, warehouse::QuoteLiteral(storage.Url(out.key)), options_.zstd_level);
    auto copied = (*conn)->Query(sql);
    written.push_back(out);
    if (!copied) return fail(copied.error());
    auto copied_rows = CopiedRows(*copied);
    if (!copied_rows) return fail(copied_rows.error());
    if (*copied_rows != rows) {
      return fail(Error{ErrorCode::kData,
                        fmt::format("compacting {}: the manifests list {} rows in {} files, the "
                                    "files hold {}; nothing was replaced",
                                    plan.folder, rows, run.size(), *copied_rows)});
    }
    std::error_code ec;
    written.back().rows = rows;
    written.back().bytes = std::filesystem::file_size(storage.Url(out.key), ec);
    result.bytes_after += written.back().bytes;
  }
  lake_.faults().At("compact-written");
  for (const auto& f : written) {
    if (auto s = storage.SyncExisting(f.key); !s) return fail(s.error());
  }
  if (auto s = storage.SyncExisting(plan.folder); !s) return fail(s.error());
  lake_.faults().At("compact-synced");

  {
    auto lock = storage.LockWriters([&](const std::string& holder) {
      spdlog::debug("compaction of {} waits for the writer {}", plan.folder, holder);
    });
    if (!lock) return fail(lock.error());
    // Another compaction (a second `playlake compact`, or a pass of the
    // stream's) may have replaced some of these files since we planned.
    if (auto s = live_.Refresh(lake_); !s) return fail(s.error());
    const bool still_live = std::all_of(replaced.begin(), replaced.end(),
                                        [&](const std::string& k) { return live_.Contains(k); });
    if (still_live) {
      lake::ManifestEntry entry;
      entry.version = lake::kCompactionManifestVersion;
      entry.layer = "silver";
      entry.batch_id = result.batch_id;
      entry.source = "compaction";
      entry.format = "parquet";
      entry.entity = plan.table;
      entry.input_path = "compact:" + plan.folder;
      entry.input_size = result.bytes_before;
      entry.input_checksum = result.batch_id;
      entry.files = written;
      entry.replaces = replaced;
      entry.stats = {{"compacted.files", result.files_before},
                     {"compacted.rows", result.rows},
                     {"compacted.bytes", static_cast<std::int64_t>(result.bytes_before)}};
      auto committed = lake_.Commit(std::move(entry));
      if (!committed) return fail(committed.error());
      result.committed = *committed;
    }
  }
  if (!result.committed) {
    discard();
    result.bytes_after = 0;
  } else {
    lake_.faults().At("compact-committed");
    result.files_after = static_cast<std::int64_t>(written.size());
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace playlake::stream
