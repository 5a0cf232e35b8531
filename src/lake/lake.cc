#include "lake/lake.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <tuple>

#include "lake/zstd_stream.h"

namespace playlake::lake {

namespace {

// Commit order: committed_at_us, ties broken by input path.
void SortInCommitOrder(std::vector<ManifestEntry>& entries) {
  // Sorted by index, then moved once: sorting the entries themselves moved
  // each about log2(N) times (a tenth of reading 100,000 manifests).
  std::vector<std::size_t> order(entries.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) {
    const ManifestEntry& a = entries[i];
    const ManifestEntry& b = entries[j];
    if (a.committed_at_us != b.committed_at_us) return a.committed_at_us < b.committed_at_us;
    return a.input_path < b.input_path;
  });
  std::vector<ManifestEntry> sorted;
  sorted.reserve(entries.size());
  for (const std::size_t i : order) sorted.push_back(std::move(entries[i]));
  entries = std::move(sorted);
}

// Snapshots of the commit log: `_manifests/_snapshots/<layer>-<entries,
// 12 digits>-<nonce>.zst`, zstd of a header line and, per entry, its
// manifest's length in bytes on a line and the manifest (ToJson). Under
// _manifests/, so RemoveLeftovers keeps them; the names sort by entry count.
constexpr std::string_view kSnapshotFolder = "_manifests/_snapshots";
constexpr std::string_view kSnapshotHeader = "playlake commit log snapshot 1\n";

std::string SnapshotPrefix(const std::string& layer) {
  return fmt::format("{}/{}-", kSnapshotFolder, layer);
}

// The snapshots of `layer`, oldest (fewest entries) first.
Result<std::vector<std::string>> SnapshotKeys(const Storage& storage, const std::string& layer) {
  auto keys = storage.List(std::string(kSnapshotFolder));
  if (!keys) return keys;
  const std::string prefix = SnapshotPrefix(layer);
  std::erase_if(*keys, [&](const std::string& key) { return !key.starts_with(prefix); });
  return keys;
}

// A WritableFile that keeps what is appended.
struct InMemoryFile final : WritableFile {
  std::string bytes;
  Status Append(std::string_view more) override {
    bytes.append(more);
    return {};
  }
  Status Sync() override { return {}; }
  Status Close() override { return {}; }
  std::uint64_t size() const override { return bytes.size(); }
};

// The entries of a snapshot that `keep` accepts, parsed as `file` is read: a
// snapshot of a million batches holds about a gigabyte of JSON.
Result<std::vector<ManifestEntry>> ParseSnapshot(
    ReadableFile& file, const std::string& origin,
    const std::function<bool(const ManifestEntry&)>& keep) {
  std::vector<ManifestEntry> entries;
  std::string pending;  // read, from `at` on not parsed yet
  std::size_t at = 0;
  bool headed = false;
  std::vector<char> chunk(1 << 20);
  while (true) {
    auto n = file.Read(chunk.data(), chunk.size());
    if (!n) return tl::unexpected(n.error());
    pending.erase(0, at);
    at = 0;
    pending.append(chunk.data(), *n);
    if (!headed && (pending.size() >= kSnapshotHeader.size() || *n == 0)) {
      if (!pending.starts_with(kSnapshotHeader)) {
        return Fail(ErrorCode::kData, fmt::format("{}: not a commit log snapshot", origin));
      }
      at = kSnapshotHeader.size();
      headed = true;
    }
    // Each entry: its length in bytes on a line, then its manifest.
    while (headed) {
      const std::string_view rest(pending.data() + at, pending.size() - at);
      const auto line_end = rest.find('\n');
      if (line_end == std::string_view::npos) break;
      std::size_t length = 0;
      const auto [end, ec] = std::from_chars(rest.data(), rest.data() + line_end, length);
      if (ec != std::errc() || end != rest.data() + line_end) {
        return Fail(ErrorCode::kData, fmt::format("{}: damaged", origin));
      }
      if (rest.size() - line_end - 1 < length) break;  // the rest comes with the next read
      auto entry = ManifestFromJson(std::string(rest.substr(line_end + 1, length)), origin);
      if (!entry) return tl::unexpected(entry.error());
      if (keep(*entry)) entries.push_back(std::move(*entry));
      at += line_end + 1 + length;
    }
    if (*n == 0) {
      if (at != pending.size()) return Fail(ErrorCode::kData, fmt::format("{}: truncated", origin));
      return entries;
    }
  }
}

}  // namespace

std::vector<DataFile> LiveFiles(const std::vector<ManifestEntry>& entries) {
  std::set<std::string_view> replaced;
  for (const auto& e : entries) replaced.insert(e.replaces.begin(), e.replaces.end());
  std::vector<DataFile> files;
  for (const auto& e : entries) {
    for (const auto& f : e.files) {
      if (!replaced.contains(f.key)) files.push_back(f);
    }
  }
  return files;
}

Result<std::vector<ManifestEntry>> NewEntries::Read(const Lake& lake) {
  auto ids = lake.BatchIds(layer_);
  if (!ids) return tl::unexpected(ids.error());
  std::erase_if(*ids, [&](const std::string& id) { return read_.contains(id); });
  auto fresh = lake.Read(layer_, *ids);
  if (!fresh) return tl::unexpected(fresh.error());
  read_.insert(ids->begin(), ids->end());
  return fresh;
}

Status LiveFileSet::Refresh(const Lake& lake) {
  auto fresh = entries_.Read(lake);
  if (!fresh) return tl::unexpected(fresh.error());
  // A compaction replaces files committed before it, so those of the entries
  // read before are in live_ already, and those read now are skipped here.
  std::set<std::string_view> replaced;
  for (const auto& e : *fresh) replaced.insert(e.replaces.begin(), e.replaces.end());
  for (const auto key : replaced) live_.erase(std::string(key));
  for (const auto& e : *fresh) {
    for (std::size_t i = 0; i < e.files.size(); ++i) {
      const DataFile& f = e.files[i];
      if (!replaced.contains(f.key)) live_[f.key] = Live{e.committed_at_us, e.input_path, i, f};
    }
  }
  return {};
}

std::vector<DataFile> LiveFileSet::Files() const {
  std::vector<const Live*> order;
  order.reserve(live_.size());
  for (const auto& [key, live] : live_) order.push_back(&live);
  std::stable_sort(order.begin(), order.end(), [](const Live* a, const Live* b) {
    return std::tie(a->committed_at_us, a->input_path, a->index) <
           std::tie(b->committed_at_us, b->input_path, b->index);
  });
  std::vector<DataFile> files;
  files.reserve(order.size());
  for (const Live* live : order) files.push_back(live->file);
  return files;
}

Lake::Lake(std::unique_ptr<Storage> storage, LakeOptions options)
    : storage_(std::move(storage)),
      clock_(options.clock ? std::move(options.clock)
                           : Clock([] { return std::chrono::system_clock::now(); })),
      faults_(options.faults ? options.faults : &no_faults_),
      snapshot_after_(std::max<std::size_t>(1, options.snapshot_after)) {}

Result<std::unique_ptr<Lake>> Lake::OpenLocal(const std::filesystem::path& root,
                                              LakeOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(root / "_manifests", ec);
  if (ec) {
    return Fail(ErrorCode::kIo,
                fmt::format("cannot create the lake folder {}: {}", root.string(), ec.message()));
  }
  const bool durable = options.durable;
  return std::make_unique<Lake>(std::make_unique<LocalStorage>(root, durable), std::move(options));
}

std::string Lake::NewNonce() const {
  std::random_device random;
  return fmt::format("{:08x}", random());
}

Result<std::optional<ManifestEntry>> Lake::Find(const std::string& layer,
                                                const std::string& batch_id) const {
  const std::string key = ManifestKey(layer, batch_id);
  auto exists = storage_->Exists(key);
  if (!exists) return tl::unexpected(exists.error());
  if (!*exists) return std::optional<ManifestEntry>();
  auto text = storage_->ReadAll(key);
  if (!text) return tl::unexpected(text.error());
  auto entry = ManifestFromJson(*text, storage_->Url(key));
  if (!entry) return tl::unexpected(entry.error());
  return std::optional<ManifestEntry>(std::move(*entry));
}

Result<bool> Lake::Commit(ManifestEntry entry) {
  entry.committed_at_us =
      std::chrono::duration_cast<std::chrono::microseconds>(clock_().time_since_epoch()).count();
  return storage_->PublishIfAbsent(ManifestKey(entry.layer, entry.batch_id), ToJson(entry));
}

Result<std::vector<ManifestEntry>> Lake::Entries(const std::string& layer) const {
  auto ids = BatchIds(layer);
  if (!ids) return tl::unexpected(ids.error());
  return Read(layer, *ids);
}

Result<std::vector<ManifestEntry>> Lake::Read(const std::string& layer,
                                              const std::vector<std::string>& batch_ids) const {
  if (batch_ids.size() < snapshot_after_) {
    auto entries = ReadManifests(layer, batch_ids);
    if (entries) SortInCommitOrder(*entries);
    return entries;
  }
  // A manifest never changes once committed, so a snapshot's entry of a
  // batch still listed is that batch's manifest, read before.
  const std::unordered_set<std::string> wanted(batch_ids.begin(), batch_ids.end());
  std::vector<ManifestEntry> entries = ReadSnapshot(layer, wanted);
  std::unordered_set<std::string_view> found;
  for (const auto& e : entries) found.insert(e.batch_id);
  std::vector<std::string> rest;
  for (const auto& id : batch_ids) {
    if (!found.contains(id)) rest.push_back(id);
  }
  auto fresh = ReadManifests(layer, rest);
  if (!fresh) return fresh;
  for (auto& e : *fresh) entries.push_back(std::move(e));
  SortInCommitOrder(entries);
  if (rest.size() >= snapshot_after_) WriteSnapshot(layer, entries);
  return entries;
}

Result<std::vector<ManifestEntry>> Lake::ReadManifests(
    const std::string& layer, const std::vector<std::string>& batch_ids) const {
  std::vector<std::string> keys;
  keys.reserve(batch_ids.size());
  for (const auto& id : batch_ids) keys.push_back(ManifestKey(layer, id));
  if (auto s = storage_->Prefetch(keys); !s) return tl::unexpected(s.error());
  std::vector<ManifestEntry> entries;
  entries.reserve(keys.size());
  for (const auto& key : keys) {
    auto text = storage_->ReadAll(key);
    if (!text) return tl::unexpected(text.error());
    auto entry = ManifestFromJson(*text, storage_->Url(key));
    if (!entry) return tl::unexpected(entry.error());
    entries.push_back(std::move(*entry));
  }
  return entries;
}

std::vector<ManifestEntry> Lake::ReadSnapshot(const std::string& layer,
                                              const std::unordered_set<std::string>& wanted) const {
  auto keys = SnapshotKeys(*storage_, layer);
  if (!keys || keys->empty()) return {};
  const std::string& newest = keys->back();
  auto read = [&]() -> Result<std::vector<ManifestEntry>> {
    auto file = storage_->Open(newest);
    if (!file) return tl::unexpected(file.error());
    ZstdReader reader(std::move(*file));
    return ParseSnapshot(reader, storage_->Url(newest),
                         [&](const ManifestEntry& e) { return wanted.contains(e.batch_id); });
  };
  auto entries = read();
  if (!entries) {
    // A writer that replaced it may have removed it since the listing.
    spdlog::warn("the commit log snapshot {} cannot be read ({}); reading the manifests instead",
                 storage_->Url(newest), entries.error().message);
    return {};
  }
  return std::move(*entries);
}

void Lake::WriteSnapshot(const std::string& layer,
                         const std::vector<ManifestEntry>& entries) const {
  // Names sort by entry count first: those before `counted` hold fewer.
  const std::string counted = fmt::format("{}{:012}", SnapshotPrefix(layer), entries.size());
  const std::string key = fmt::format("{}-{}.zst", counted, NewNonce());
  // Compressed in memory, then published whole: no reader ever sees part of it.
  auto write = [&]() -> Status {
    InMemoryFile compressed;
    ZstdWriter zstd(compressed, 3, 0);
    if (auto s = zstd.Append(kSnapshotHeader); !s) return s;
    for (const auto& e : entries) {
      const std::string text = ToJson(e);
      if (auto s = zstd.Append(fmt::format("{}\n", text.size())); !s) return s;
      if (auto s = zstd.Append(text); !s) return s;
    }
    if (auto s = zstd.Finish(); !s) return s;
    auto published = storage_->PublishIfAbsent(key, compressed.bytes);
    if (!published) return tl::unexpected(published.error());
    return {};
  };
  if (auto s = write(); !s) {
    spdlog::warn("cannot write a snapshot of the lake's {} commit log ({}); reads go on from the "
                 "manifests",
                 layer, s.error().message);
    return;
  }
  spdlog::debug("wrote {} ({} entries)", storage_->Url(key), entries.size());
  // Those with fewer entries go; a reader that listed one before falls back
  // to the manifests if it is gone when it opens it.
  auto keys = SnapshotKeys(*storage_, layer);
  if (!keys) return;
  for (const auto& older : *keys) {
    if (older < counted) (void)storage_->Remove(older);
  }
}

Result<std::vector<std::string>> Lake::BatchIds(const std::string& layer) const {
  auto keys = storage_->List("_manifests/" + layer);
  if (!keys) return tl::unexpected(keys.error());
  std::vector<std::string> ids;
  ids.reserve(keys->size());
  for (const auto& key : *keys) {
    if (!key.ends_with(".json")) continue;
    const auto slash = key.rfind('/');
    const auto start = slash == std::string::npos ? 0 : slash + 1;
    ids.push_back(key.substr(start, key.size() - start - 5));
  }
  // List is sorted, and so are the ids then: the check costs less than a sort.
  if (!std::is_sorted(ids.begin(), ids.end())) std::sort(ids.begin(), ids.end());
  return ids;
}

Result<std::vector<DataFile>> Lake::CommittedFiles(const std::string& layer,
                                                   const std::string& table) const {
  auto entries = Entries(layer);
  if (!entries) return tl::unexpected(entries.error());
  std::vector<DataFile> files = LiveFiles(*entries);
  std::erase_if(files, [&](const DataFile& f) { return f.table != table; });
  std::sort(files.begin(), files.end(),
            [](const DataFile& a, const DataFile& b) { return a.key < b.key; });
  return files;
}

Result<Leftovers> Lake::RemoveLeftovers(std::chrono::seconds older_than) {
  // List before reading the commit log: a file committed in between is then
  // seen as referenced, never removed.
  // Under _manifests/ only temporaries can be leftovers: the manifests (one
  // per batch and layer) are not even looked up.
  const Storage::NameFilter temporaries = [](std::string_view name) {
    return name.starts_with('.');
  };
  std::vector<ObjectInfo> objects;
  for (const std::string_view prefix : {"bronze", "silver", "_manifests"}) {
    auto listed =
        storage_->ListAll(std::string(prefix), prefix == "_manifests" ? temporaries : nullptr);
    if (!listed) return tl::unexpected(listed.error());
    objects.insert(objects.end(), listed->begin(), listed->end());
  }
  std::set<std::string> referenced;
  for (const char* layer : {"bronze", "silver"}) {
    auto entries = Entries(layer);
    if (!entries) return tl::unexpected(entries.error());
    for (const auto& e : *entries) {
      for (const auto& f : e.files) referenced.insert(f.key);
    }
  }
  const auto cutoff = clock_() - older_than;
  Leftovers leftovers;
  for (const auto& object : objects) {
    const std::string_view name = std::string_view(object.key).substr(object.key.rfind('/') + 1);
    const bool temporary = name.starts_with(".");
    if (!temporary && (object.key.starts_with("_manifests/") || referenced.contains(object.key))) {
      continue;
    }
    if (object.modified > cutoff) {
      ++leftovers.kept;
      continue;
    }
    if (auto s = storage_->Remove(object.key); !s) return tl::unexpected(s.error());
    ++leftovers.removed;
    leftovers.removed_bytes += object.bytes;
  }
  auto aborted = storage_->AbortStaleWrites(cutoff);
  if (!aborted) return tl::unexpected(aborted.error());
  leftovers.aborted_uploads = *aborted;
  return leftovers;
}

Result<Leftovers> Lake::RemoveReplaced(std::chrono::seconds older_than) {
  auto entries = Entries("silver");
  if (!entries) return tl::unexpected(entries.error());
  const auto cutoff_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             (clock_() - older_than).time_since_epoch())
                             .count();
  std::map<std::string, std::uint64_t> named;  // every file some entry lists → bytes
  for (const auto& e : *entries) {
    for (const auto& f : e.files) named[f.key] = f.bytes;
  }
  Leftovers replaced;
  for (const auto& e : *entries) {
    for (const auto& key : e.replaces) {
      if (e.committed_at_us > cutoff_us) {
        ++replaced.kept;
        continue;
      }
      auto exists = storage_->Exists(key);
      if (!exists) return tl::unexpected(exists.error());
      if (!*exists || !named.contains(key)) continue;  // removed before, or never ours
      if (auto s = storage_->Remove(key); !s) return tl::unexpected(s.error());
      ++replaced.removed;
      replaced.removed_bytes += named[key];
    }
  }
  return replaced;
}

}  // namespace playlake::lake
