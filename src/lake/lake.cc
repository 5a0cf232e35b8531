#include "lake/lake.h"

#include <fmt/format.h>

#include <algorithm>
#include <random>
#include <set>

namespace playlake::lake {

Lake::Lake(std::unique_ptr<Storage> storage, LakeOptions options)
    : storage_(std::move(storage)),
      clock_(options.clock ? std::move(options.clock)
                           : Clock([] { return std::chrono::system_clock::now(); })),
      faults_(options.faults ? options.faults : &no_faults_) {}

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
  auto keys = storage_->List("_manifests/" + layer);
  if (!keys) return tl::unexpected(keys.error());
  std::vector<ManifestEntry> entries;
  entries.reserve(keys->size());
  for (const auto& key : *keys) {
    if (!key.ends_with(".json")) continue;
    auto text = storage_->ReadAll(key);
    if (!text) return tl::unexpected(text.error());
    auto entry = ManifestFromJson(*text, storage_->Url(key));
    if (!entry) return tl::unexpected(entry.error());
    entries.push_back(std::move(*entry));
  }
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    if (a.committed_at_us != b.committed_at_us) return a.committed_at_us < b.committed_at_us;
    return a.input_path < b.input_path;
  });
  return entries;
}

Result<std::vector<DataFile>> Lake::CommittedFiles(const std::string& layer,
                                                   const std::string& table) const {
  auto entries = Entries(layer);
  if (!entries) return tl::unexpected(entries.error());
  std::vector<DataFile> files;
  for (auto& e : *entries) {
    for (auto& f : e.files) {
      if (f.table == table) files.push_back(std::move(f));
    }
  }
  std::sort(files.begin(), files.end(),
            [](const DataFile& a, const DataFile& b) { return a.key < b.key; });
  return files;
}

Result<Leftovers> Lake::RemoveLeftovers(std::chrono::seconds older_than) {
  // List before reading the commit log: a file committed in between is then
  // seen as referenced, never removed.
  std::vector<ObjectInfo> objects;
  for (const char* prefix : {"bronze", "silver", "_manifests"}) {
    auto listed = storage_->ListAll(prefix);
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
  return leftovers;
}

}  // namespace playlake::lake
