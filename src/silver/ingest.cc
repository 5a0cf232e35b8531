#include "silver/ingest.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <glob.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iterator>
#include <map>
#include <set>
#include <thread>
#include <tuple>
#include <utility>

#include "common/file_io.h"
#include "common/hash.h"
#include "lake/bronze.h"
#include "lake/checksum.h"
#include "lake/zstd_stream.h"
#include "sources/privacy.h"
#include "sources/tables.h"

namespace playlake::silver {
namespace fs = std::filesystem;
namespace {

// Read in pieces that stay in the L2 cache between read(2) copying them out
// of the page cache and the checksum, compressor and parser reading them
// (measured: 4 MB pieces made the checksum pass ~20% slower).
constexpr std::size_t kReadChunk = 1 << 20;
constexpr std::size_t kHeadBytes = 64 << 10;

bool DataExtension(const fs::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".json" || ext == ".jsonl" || ext == ".ndjson" || ext == ".csv";
}

std::string BronzeExtension(std::optional<sources::Format> format, const fs::path& path) {
  if (!format) {
    const std::string ext = path.extension().string();
    return ext.size() > 1 ? ext.substr(1) : "bin";
  }
  switch (sources::FramingOf(*format)) {
    case sources::Framing::kLines: return *format == sources::Format::kCsv ? "csv" : "jsonl";
    default: return "json";
  }
}

// The silver options for an input of `bytes`: a file is written in about
// four flushes (at least 20,000 rows each, at most flush_rows), so that even
// a file smaller than one flush has its Parquet written while the rest of it
// is parsed; one flush per file left the writing of each of 31 daily files of
// 100 MB behind its parsing (22 s for the 31, against 13 s as one file).
ProcessorOptions OptionsFor(const ProcessorOptions& options, std::uint64_t bytes) {
  constexpr std::int64_t kBytesPerRow = 500;  // Playlake NDJSON ~600, eventsim ~350
  constexpr std::int64_t kFlushesPerFile = 4;
  const std::int64_t floor = std::min<std::int64_t>(20'000, options.flush_rows);
  ProcessorOptions o = options;
  o.flush_rows = std::clamp(static_cast<std::int64_t>(bytes) / kBytesPerRow / kFlushesPerFile,
                            floor, options.flush_rows);
  return o;
}

int Threads(const IngestRequest& r) {
  return r.threads > 0 ? r.threads : std::max(1u, std::thread::hardware_concurrency());
}

// An input as a re-run sees it before reading it: file name, size,
// modification time, and the listener given with it (part of the batch id).
using InputSignature = std::tuple<std::string, std::uint64_t, std::int64_t, std::string>;
struct CommittedInput {
  std::string path;  // where it was read
  std::string batch_id;
  std::string format;
  std::int64_t quarantined_whole = 0;  // see QuarantinedWhole
};

// How a request reads a file whose format was `found` (detected or given
// before): the format it asks for (else `found`) and its CSV mapping.
std::string ReadingOf(const IngestRequest& r, std::string_view found) {
  return fmt::format("{}\x1f{}", r.format ? sources::FormatName(*r.format) : found,
                     r.csv.Signature());
}

// Manifest stat `quarantined_whole` of a batch silver holds as one quarantine
// row: a hash of the reading that refused it (never 0); 0 for other batches.
std::int64_t ReadingHash(const std::string& reading) {
  return static_cast<std::int64_t>(Hash64(reading) >> 1) | 1;
}
std::int64_t QuarantinedWhole(const lake::ManifestEntry& entry) {
  const auto it = entry.stats.find("quarantined_whole");
  return it == entry.stats.end() ? 0 : it->second;
}

// Whether a file silver holds whole as quarantine, refused by the reading
// hashed in `quarantined_whole` as format `found`, is to be read again: the
// request says how to read it, and not as that time.
bool ReadAgain(const IngestRequest& r, std::int64_t quarantined_whole, std::string_view found) {
  return quarantined_whole != 0 && (r.format || !r.csv.empty()) &&
         quarantined_whole != ReadingHash(ReadingOf(r, found));
}

// The silver batches of the lake by the signature of their input (entries with
// a modification time only).
using CommittedInputs = std::multimap<InputSignature, CommittedInput>;

CommittedInputs CommittedInputsOf(const std::vector<lake::ManifestEntry>& entries) {
  CommittedInputs inputs;
  for (const auto& e : entries) {
    if (e.input_modified_ns == 0) continue;
    inputs.emplace(InputSignature{fs::path(e.input_path).filename().string(), e.input_size,
                                  e.input_modified_ns, e.user},
                   CommittedInput{e.input_path, e.batch_id, e.format, QuarantinedWhole(e)});
  }
  return inputs;
}

// The committed input that `path` is, unread: one read from the same path with
// the same size, modification time and listener, as make and rsync judge. A
// file moved or copied with its time (a project moved, an inbox mounted at
// another path) is the same file under another folder when that time has a
// fraction of a second: two files written apart do not share a name, a size
// and a nanosecond. Times in whole seconds (unpacked archives, some file
// systems) are shared by unrelated files, so there the path must match.
const CommittedInput* QuickCheck(const CommittedInputs& inputs, const std::string& path,
                                 std::uint64_t size, std::int64_t modified_ns,
                                 const std::string& user) {
  if (modified_ns == 0) return nullptr;
  const bool fine_time = modified_ns % 1'000'000'000 != 0;
  const auto [first, last] =
      inputs.equal_range({fs::path(path).filename().string(), size, modified_ns, user});
  for (auto it = first; it != last; ++it) {
    if (fine_time || it->second.path == path) return &it->second;
  }
  return nullptr;
}

// A batch silver holds as one quarantine row is reported as such, not as committed.
void MarkQuarantinedWhole(FileReport& report) {
  if (report.stats.quarantined_whole.empty()) return;
  report.outcome = Outcome::kQuarantinedWhole;
  report.error = report.stats.quarantined_whole;
}

// The unknown fields each source's committed batches had ("first seen" is
// against these).
std::map<std::string, std::set<std::string>> FieldsSeenBySource(
    const std::vector<lake::ManifestEntry>& entries) {
  std::map<std::string, std::set<std::string>> seen;
  for (const auto& e : entries) {
    for (const auto& [field, observed] : e.drift.unknown_fields) seen[e.source].insert(field);
  }
  return seen;
}

// Records in `file` the unknown fields `seen` lacks, and adds them to it.
void NoteNewFields(std::set<std::string>& seen, FileReport& file) {
  for (const auto& [field, observed] : file.stats.drift.unknown_fields) {
    if (seen.insert(field).second) file.new_fields.push_back(field);
  }
}

// Everything one file needs while it streams through bronze and silver.
class FileIngest {
 public:
  // `committed`: what the lake holds, kept current by FileIngest as it commits.
  // `inputs`: the committed batches by input signature, for the quick check.
  FileIngest(lake::Lake& lake, const IngestRequest& request, Progress& progress,
             TableWriter& writer, SilverBatch::Committed& committed, const CommittedInputs& inputs)
      : lake_(lake),
        request_(request),
        progress_(progress),
        writer_(writer),
        committed_(committed),
        inputs_(inputs) {}

  FileReport Run(const std::string& path);
  // Builds silver from a committed bronze batch.
  Status FromBronze(const lake::ManifestEntry& bronze, FileReport& report);

 private:
  Status Land(const std::string& path, std::uint64_t size, std::int64_t modified_ns,
              const std::string& checksum, std::string_view head, FileReport& report);
  Status CommitSilver(SilverBatch& batch, const lake::ManifestEntry& bronze, FileReport& report);
  sources::BatchContext Context(std::optional<sources::Format> format, const std::string& path,
                                const std::string& batch_id, const std::string& user) const;

  lake::Lake& lake_;
  const IngestRequest& request_;
  Progress& progress_;
  TableWriter& writer_;
  SilverBatch::Committed& committed_;
  const CommittedInputs& inputs_;
};

sources::BatchContext FileIngest::Context(std::optional<sources::Format> format,
                                          const std::string& path, const std::string& batch_id,
                                          const std::string& user) const {
  sources::BatchContext ctx;
  ctx.format = format.value_or(sources::Format::kPlaylake);
  ctx.format_label = format ? "" : "unknown";
  ctx.source_file = path;
  ctx.file_name = fs::path(path).filename().string();
  ctx.batch_id = batch_id;
  ctx.user = user;
  ctx.timezone = request_.timezone;
  return ctx;
}

FileReport FileIngest::Run(const std::string& path) {
  FileReport report;
  report.path = path;
  auto fail = [&](const Error& e) {
    report.outcome = Outcome::kFailed;
    report.error = e.message;
    report.error_code = e.code;
    return report;
  };
  std::error_code ec;
  const std::uint64_t size = fs::file_size(path, ec);
  if (ec) return fail(Error{ErrorCode::kNotFound, fmt::format("{}: {}", path, ec.message())});
  report.bytes = size;
  if (!request_.format) {
    if (std::string why = sources::SpotifyExportSkipReason(fs::path(path).filename().string());
        !why.empty()) {
      report.outcome = Outcome::kSkipped;
      report.format = "none";
      report.error = std::move(why);
      return report;
    }
  }
  if (size == 0) {
    report.outcome = Outcome::kEmpty;
    report.format = "none";
    return report;
  }
  // Quick check: a batch of this file is committed, so it is not read at all
  // (a run over a folder of inputs reads only the new ones). The time is taken
  // before any read, so a file changed while it is read differs from it next time.
  const std::int64_t modified_ns = ModifiedNs(path);
  const CommittedInput* hit = QuickCheck(inputs_, path, size, modified_ns, request_.user);
  if (hit && !ReadAgain(request_, hit->quarantined_whole, hit->format)) {
    report.batch_id = hit->batch_id;
    report.format = hit->format;
    report.outcome = Outcome::kAlreadyIngested;
    return report;
  }
  // Pass 1: the checksum names the batch, so a replay can stop here.
  auto file = request_.open_input(path);
  if (!file) return fail(file.error());
  Checksum checksum;
  std::string head;
  std::vector<char> buffer(kReadChunk);
  std::uint64_t seen = 0;
  while (true) {
    auto n = (*file)->Read(buffer.data(), buffer.size());
    if (!n) return fail(n.error());
    if (*n == 0) break;
    checksum.Update(std::string_view(buffer.data(), *n));
    if (head.size() < kHeadBytes) head.append(buffer.data(), std::min(*n, kHeadBytes - head.size()));
    seen += *n;
  }
  if (seen != size) {
    return fail(Error{ErrorCode::kIo, fmt::format("{}: the file changed size while being read "
                                                  "({} then {} bytes); ingest it again when it is "
                                                  "complete",
                                                  path, size, seen)});
  }
  std::string batch_id =
      lake::FileBatchId(fs::path(path).filename().string(), size, checksum.Hex(), request_.user);
  auto silver = lake_.Find("silver", batch_id);
  if (!silver) return fail(silver.error());
  if (*silver && ReadAgain(request_, QuarantinedWhole(**silver), (*silver)->format)) {
    // The same bytes read another way: a batch of their own.
    batch_id = Hash128Hex(fmt::format("{}\x1f{}", batch_id, ReadingOf(request_, (*silver)->format)))
                   .substr(0, batch_id.size());
    silver = lake_.Find("silver", batch_id);
    if (!silver) return fail(silver.error());
  }
  report.batch_id = batch_id;
  if (*silver) {
    report.outcome = Outcome::kAlreadyIngested;
    report.format = (*silver)->format;
    return report;
  }
  auto bronze = lake_.Find("bronze", batch_id);
  if (!bronze) return fail(bronze.error());
  if (*bronze) {
    report.format = (*bronze)->format;
    if (auto s = FromBronze(**bronze, report); !s) return fail(s.error());
    report.outcome = Outcome::kSilverCaughtUp;
    MarkQuarantinedWhole(report);
    return report;
  }
  if (auto s = Land(path, size, modified_ns, checksum.Hex(), head, report); !s) {
    return fail(s.error());
  }
  report.outcome = Outcome::kCommitted;
  MarkQuarantinedWhole(report);
  return report;
}

Status FileIngest::Land(const std::string& path, std::uint64_t size, std::int64_t modified_ns,
                        const std::string& checksum, std::string_view head, FileReport& report) {
  const std::string name = fs::path(path).filename().string();
  std::optional<sources::Format> format = request_.format;
  std::string detect_error;
  if (!format) {
    auto detected = sources::DetectFormat(name, head);
    if (detected) {
      format = *detected;
    } else {
      detect_error = detected.error().message;
    }
  }
  report.format = format ? std::string(sources::FormatName(*format)) : "unknown";
  // Whose listening is it? Refuse before landing anything rather than after.
  if (request_.user.empty() &&
      (format == sources::Format::kSpotifyLegacy ||
       (format == sources::Format::kSpotifyHistory && head.find("\"username\"") == std::string_view::npos))) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("{}: this Spotify export does not say whose listening it is (no "
                            "'username' field): pass --user NAME, or set `user:` on the source in "
                            "playlake.yml",
                            path));
  }
  const std::string source = !request_.source.empty() ? request_.source : report.format;
  const std::string entity = format ? sources::EntityOf(*format, name) : "unknown";
  lake::ManifestEntry bronze;
  bronze.layer = "bronze";
  bronze.batch_id = report.batch_id;
  bronze.source = source;
  bronze.format = report.format;
  bronze.entity = entity;
  bronze.input_path = path;
  bronze.input_size = size;
  bronze.input_checksum = checksum;
  bronze.input_modified_ns = modified_ns;
  bronze.user = request_.user;
  if (format) bronze.contract_version = sources::ContractVersion(*format);
  const std::string key = lake::BronzeKey(source, entity, lake_.Now(), report.batch_id,
                                          lake_.NewNonce(), BronzeExtension(format, path));
  auto out = lake_.storage().Create(key);
  if (!out) return tl::unexpected(out.error());
  // Compressed on a background thread while this one parses.
  lake::ZstdWriter zstd(**out, request_.zstd_level, 1);

  SilverBatch batch(lake_, writer_, Context(format, path, report.batch_id, request_.user),
                    OptionsFor(request_.processor, size));
  batch.Start(committed_);
  if (!format) batch.QuarantineWhole(sources::reason::kUnknownFormat, detect_error, head,
                                     static_cast<std::int64_t>(size));

  // Pass 2: one read feeds bronze and silver; the checksum proves it saw pass 1's bytes.
  auto file = request_.open_input(path);
  if (!file) return tl::unexpected(file.error());
  Checksum again;
  std::uint64_t done = 0;
  // Exports' IP addresses are masked before bronze (and silver, which never
  // reads them) sees the bytes, unless the project keeps them (docs/privacy.md).
  const bool redact = !request_.keep_ip_addresses && (format == sources::Format::kSpotifyHistory ||
                                                      format == sources::Format::kSpotifyLegacy);
  sources::IpRedactor redactor;
  while (true) {
    // Read into a buffer the compressor takes afterwards (no copy for bronze).
    std::string buffer = zstd.Buffer(kReadChunk);
    auto n = (*file)->Read(buffer.data(), buffer.size());
    if (!n) return tl::unexpected(n.error());
    if (*n == 0) break;
    const std::string_view chunk(buffer.data(), *n);
    again.Update(chunk);
    if (redact) redactor.Apply(buffer.data(), *n);
    if (format) {
      if (auto s = batch.Feed(chunk); !s) return s;
    }
    buffer.resize(*n);
    if (auto s = zstd.AppendOwned(std::move(buffer)); !s) return s;
    done += *n;
    progress_.OnBytes(path, done, size);
  }
  if (done != size || again.Hex() != checksum) {
    return Fail(ErrorCode::kIo, fmt::format("{}: the file changed while being read (size {} → {}); "
                                            "nothing was committed: ingest it again when it is "
                                            "complete",
                                            path, size, done));
  }
  if (auto s = zstd.Finish(); !s) return s;
  lake_.faults().At("bronze-written");
  if (auto s = (*out)->Sync(); !s) return s;
  if (auto s = (*out)->Close(); !s) return s;
  lake_.faults().At("bronze-synced");
  bronze.files.push_back(lake::DataFile{entity, key, 0, (*out)->size()});
  bronze.stats["bytes"] = static_cast<std::int64_t>(size);
  bronze.stats["compressed_bytes"] = static_cast<std::int64_t>((*out)->size());
  if (auto committed = lake_.Commit(bronze); !committed) return tl::unexpected(committed.error());
  lake_.faults().At("bronze-committed");
  if (auto s = batch.Finish(); !s) return s;
  return CommitSilver(batch, bronze, report);
}

Status FileIngest::CommitSilver(SilverBatch& batch, const lake::ManifestEntry& bronze,
                                FileReport& report) {
  lake_.faults().At("silver-staged");
  // Files first, then each folder that got new entries (DuckDB may have
  // created event_date=… folders too), once each.
  std::set<std::string> folders;
  for (const auto& f : batch.files()) {
    if (auto s = lake_.storage().SyncExisting(f.key); !s) return s;
    const fs::path parent = fs::path(f.key).parent_path();
    folders.insert(parent.string());
    folders.insert(parent.parent_path().string());
  }
  for (const auto& folder : folders) {
    if (auto s = lake_.storage().SyncExisting(folder); !s) return s;
  }
  lake_.faults().At("silver-synced");
  lake::ManifestEntry silver = bronze;
  silver.layer = "silver";
  silver.files = batch.files();
  silver.stats = batch.stats().ToMap();
  if (silver.stats.contains("quarantined_whole"))
    silver.stats["quarantined_whole"] = ReadingHash(ReadingOf(request_, bronze.format));
  if (auto format = sources::ParseFormat(silver.format)) {
    silver.contract_version = sources::ContractVersion(*format);
  }
  silver.drift = batch.stats().drift;
  auto committed = lake_.Commit(silver);
  if (!committed) return tl::unexpected(committed.error());
  lake_.faults().At("silver-committed");
  if (*committed) {
    batch.MoveKeysTo(committed_);
  } else {
    // A concurrent writer committed this batch first: our files stay
    // unreferenced; the lake's files are listed again (keys read as needed).
    auto reloaded = SilverBatch::LoadCommitted(lake_);
    if (!reloaded) return tl::unexpected(reloaded.error());
    committed_ = std::move(*reloaded);
  }
  report.stats = batch.stats();
  spdlog::debug("{}: parse {:.2f} s, append {:.2f} s, write Parquet {:.2f} s (in the background; "
                "parsing waited {:.2f} s for it)",
                report.path, report.stats.parse_seconds, report.stats.append_seconds,
                report.stats.write_seconds, report.stats.wait_seconds);
  return {};
}

Status FileIngest::FromBronze(const lake::ManifestEntry& bronze, FileReport& report) {
  std::optional<sources::Format> format = sources::ParseFormat(bronze.format);
  const std::string user = !bronze.user.empty() ? bronze.user : request_.user;
  sources::BatchContext context = Context(format, bronze.input_path, bronze.batch_id, user);
  if (bronze.kafka) context.first_line = bronze.kafka->lines_offset;  // lines are offsets
  SilverBatch batch(lake_, writer_, std::move(context),
                    OptionsFor(request_.processor, bronze.input_size));
  batch.Start(committed_);
  if (bronze.kafka) {
    if (auto s = batch.QuarantineOffsetGap(*bronze.kafka); !s) return s;
  }
  if (bronze.files.empty()) return Fail(ErrorCode::kData, "bronze manifest lists no file: " + bronze.batch_id);
  auto raw = lake_.storage().Open(bronze.files.front().key);
  if (!raw) return tl::unexpected(raw.error());
  lake::ZstdReader reader(std::move(*raw));
  std::vector<char> buffer(kReadChunk);
  std::string head;
  std::uint64_t done = 0;
  while (true) {
    auto n = reader.Read(buffer.data(), buffer.size());
    if (!n) return tl::unexpected(n.error());
    if (*n == 0) break;
    if (head.size() < kHeadBytes) head.append(buffer.data(), std::min(*n, kHeadBytes - head.size()));
    if (format) {
      if (auto s = batch.Feed(std::string_view(buffer.data(), *n)); !s) return s;
    }
    done += *n;
    progress_.OnBytes(bronze.input_path, done, bronze.input_size);
  }
  if (!format) {
    batch.QuarantineWhole(sources::reason::kUnknownFormat,
                          "cannot tell the format from the name or the first bytes", head,
                          static_cast<std::int64_t>(done));
  }
  report.bytes = done;
  if (auto s = batch.Finish(); !s) return s;
  return CommitSilver(batch, bronze, report);
}

Result<std::unique_ptr<TableWriter>> MakeWriter(const IngestRequest& request) {
  // Each lane is a writer thread (WriteQueue) running single-threaded COPYs
  // while the parser threads keep the other cores busy: writing takes about
  // as much CPU as parsing, so one lane alone would be the slowest stage. A
  // multi-threaded COPY instead makes the query's own thread busy-wait for
  // the other threads' tasks (measured: ~15% of all CPU time on 2 cores).
  const int lanes = request.writer_lanes > 0 ? request.writer_lanes : std::min(Threads(request), 2);
  return TableWriter::Create(
      WriterOptions{1, lanes, request.memory_limit, request.parquet_zstd_level});
}

IngestRequest Normalised(const IngestRequest& request) {
  IngestRequest r = request;
  r.processor.threads = Threads(request);
  r.processor.csv = request.csv;
  if (!r.open_input) {
    r.open_input = [](const std::string& path) { return lake::OpenLocalFile(path); };
  }
  return r;
}

}  // namespace

const char* OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kCommitted: return "committed";
    case Outcome::kAlreadyIngested: return "already_ingested";
    case Outcome::kSilverCaughtUp: return "silver_caught_up";
    case Outcome::kEmpty: return "empty";
    case Outcome::kQuarantinedWhole:
      return "quarantined_whole";
    case Outcome::kFailed: return "failed";
    case Outcome::kSkipped: return "skipped";
  }
  return "?";
}

Result<std::vector<std::string>> ExpandPaths(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const auto& given : paths) {
    std::vector<std::string> matches;
    if (given.find_first_of("*?[") != std::string::npos) {
      glob_t g{};
      if (::glob(given.c_str(), 0, nullptr, &g) == 0) {
        for (std::size_t i = 0; i < g.gl_pathc; ++i) matches.emplace_back(g.gl_pathv[i]);
      }
      globfree(&g);
      if (matches.empty()) {
        return Fail(ErrorCode::kNotFound, fmt::format("no file matches '{}'", given));
      }
    } else {
      matches.push_back(given);
    }
    for (const auto& m : matches) {
      std::error_code ec;
      const fs::path p = fs::absolute(m, ec).lexically_normal();
      if (fs::is_directory(p, ec)) {
        for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::end(it);
             it.increment(ec)) {
          const std::string name = it->path().filename().string();
          if (it->is_regular_file() && !name.starts_with(".") && DataExtension(it->path())) {
            files.push_back(it->path().string());
          }
        }
        if (ec) return Fail(ErrorCode::kIo, fmt::format("cannot list {}: {}", p.string(), ec.message()));
      } else if (fs::exists(p, ec)) {
        files.push_back(p.string());
      } else {
        return Fail(ErrorCode::kNotFound,
                    fmt::format("no such file or folder: {} (check the path)", m));
      }
    }
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

Result<IngestReport> CatchUpSilver(lake::Lake& lake, const IngestRequest& request,
                                   Progress& progress) {
  const IngestRequest r = Normalised(request);
  IngestReport report;
  // The bronze batches silver lacks, from the two layers' listings (reading
  // every manifest of a lake that has run for days would take seconds), in
  // commit order.
  auto bronze_ids = lake.BatchIds("bronze");
  if (!bronze_ids) return tl::unexpected(bronze_ids.error());
  auto silver_ids = lake.BatchIds("silver");
  if (!silver_ids) return tl::unexpected(silver_ids.error());
  std::vector<std::string> missing;
  std::set_difference(bronze_ids->begin(), bronze_ids->end(), silver_ids->begin(),
                      silver_ids->end(), std::back_inserter(missing));
  auto bronze = lake.Read("bronze", missing);
  if (!bronze) return tl::unexpected(bronze.error());
  std::unique_ptr<TableWriter> writer;
  std::optional<SilverBatch::Committed> committed;
  const CommittedInputs no_inputs;  // catching up reads bronze, never an input
  for (const auto& entry : *bronze) {
    if (!writer) {
      auto w = MakeWriter(r);
      if (!w) return tl::unexpected(w.error());
      writer = std::move(*w);
      auto c = SilverBatch::LoadCommitted(lake);
      if (!c) return tl::unexpected(c.error());
      committed = std::move(*c);
    }
    FileIngest ingest(lake, r, progress, *writer, *committed, no_inputs);
    FileReport file;
    file.path = entry.input_path;
    file.format = entry.format;
    file.batch_id = entry.batch_id;
    if (auto s = ingest.FromBronze(entry, file); !s) {
      file.outcome = Outcome::kFailed;
      file.error = s.error().message;
      file.error_code = s.error().code;
    } else {
      file.outcome = Outcome::kSilverCaughtUp;
      MarkQuarantinedWhole(file);
    }
    progress.OnFile(file);
    report.files.push_back(std::move(file));
  }
  return report;
}

Result<IngestReport> Ingest(lake::Lake& lake, const IngestRequest& request, Progress& progress) {
  const auto started = std::chrono::steady_clock::now();
  const IngestRequest r = Normalised(request);
  auto files = ExpandPaths(r.paths);
  if (!files) return tl::unexpected(files.error());
  // Held to the end: the dedupe below is against what is committed now.
  auto lock = lake.storage().LockWriters([&](const std::string& holder) {
    spdlog::info("another ingest ({}) is writing to the lake {}; waiting for it to finish", holder,
                 lake.storage().Url(""));
  });
  if (!lock) return tl::unexpected(lock.error());
  // What crashed or failed (disk full) ingests left goes before this one
  // needs the space; with the lock held no other writer is at work.
  if (r.remove_leftovers) {
    auto left = lake.RemoveLeftovers(lake.storage().LeftoverGrace());
    if (!left) return tl::unexpected(left.error());
    if (left->removed > 0) {
      spdlog::info("removed {} uncommitted file(s) ({:.1f} MB) left by an earlier ingest",
                   left->removed, left->removed_bytes / 1e6);
    }
  }
  auto report = CatchUpSilver(lake, r, progress);
  if (!report) return report;
  auto writer = MakeWriter(r);
  if (!writer) return tl::unexpected(writer.error());
  // One listing of the commit log serves the dedupe (files) and the quick check (inputs).
  auto entries = lake.Entries("silver");
  if (!entries) return tl::unexpected(entries.error());
  SilverBatch::Committed committed = SilverBatch::CommittedFrom(*entries, lake.storage());
  const CommittedInputs inputs = CommittedInputsOf(*entries);
  std::map<std::string, std::set<std::string>> fields_seen = FieldsSeenBySource(*entries);
  for (const auto& path : *files) {
    FileIngest ingest(lake, r, progress, **writer, committed, inputs);
    FileReport file = ingest.Run(path);
    file.source = r.source.empty() ? file.format : r.source;
    if (file.outcome == Outcome::kCommitted) NoteNewFields(fields_seen[file.source], file);
    progress.OnFile(file);
    report->files.push_back(std::move(file));
  }
  report->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

Result<IngestReport> IngestConfiguredSources(lake::Lake& lake, const config::ProjectConfig& project,
                                             Progress& progress) {
  if (project.sources.empty()) {
    return Fail(ErrorCode::kConfig,
                fmt::format("{}/playlake.yml declares no sources: add a `sources:` list or pass "
                            "paths to `playlake ingest`",
                            project.root.string()));
  }
  IngestReport total;
  const auto started = std::chrono::steady_clock::now();
  bool first = true;
  for (const auto& source : project.sources) {
    if (source.kafka) continue;        // `playlake stream` reads it
    if (source.spotify_api) continue;  // pulled by the batch run (spotify/project_pull.h)
    IngestRequest request;
    request.remove_leftovers = std::exchange(first, false);
    request.paths = source.paths;
    request.source = source.name;
    request.user = source.user;
    request.timezone = source.timezone;
    request.keep_ip_addresses = project.privacy.bronze_ip_addresses == "keep";
    request.threads = project.threads;
    request.csv.columns = source.csv_columns;
    request.csv.timestamp_format = source.csv_timestamp_format;
    if (auto s = request.csv.Validate(); !s) {
      return Fail(ErrorCode::kConfig,
                  fmt::format("{}/playlake.yml: sources[{}].csv.{}", project.root.string(),
                              source.name, s.error().message));
    }
    if (source.format != "auto") {
      request.format = sources::ParseFormat(source.format);
      if (!request.format) {
        return Fail(ErrorCode::kConfig, fmt::format("sources[{}].format: unknown format '{}'",
                                                    source.name, source.format));
      }
    }
    auto report = Ingest(lake, request, progress);
    if (!report) return report;
    for (auto& f : report->files) total.files.push_back(std::move(f));
  }
  total.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return total;
}

}  // namespace playlake::silver
