#include "silver/key_index.h"

#include <algorithm>

#include "common/hash.h"
#include "silver/table_writer.h"

namespace playlake::silver {

std::string KeyIndex::FolderOf(const sources::TableSpec& spec, std::string_view file) {
  if (spec.partition < 0) return std::string();
  std::string marker = "/";  // not "/" + std::string(...): GCC 12 warns (-Wrestrict) at -O2
  marker.append(spec.columns[spec.partition].name).append("=");
  const std::size_t at = file.rfind(marker);
  if (at == std::string_view::npos) return std::string();
  const std::size_t end = file.find('/', at + 1);
  return std::string(file.substr(at + 1, end == std::string_view::npos ? end : end - at - 1));
}

std::string KeyIndex::FolderFor(const sources::TableSpec& spec, std::int64_t days) {
  if (spec.partition < 0) return std::string();
  const std::string_view column = spec.columns[spec.partition].name;
  if (days == kNoPartition) return std::string(column) + "=NULL";
  return PartitionFolder(column, days);
}

void KeyIndex::Unload(Folder& folder) {
  folder.unread.clear();
  if (!folder.keys) return;
  bytes_ -= folder.keys->bytes();
  folder.keys.reset();
}

void KeyIndex::AddFile(int t, const std::string& url) {
  Folder& folder = folders_[{t, FolderOf(*sources::AllTables()[t], url)}];
  // Keys this index has not seen: read with the folder's next lookup.
  if (folder.files.insert(url).second && folder.keys) folder.unread.push_back(url);
}

void KeyIndex::ReplaceFiles(int t, const std::set<std::string>& replaced,
                            const std::vector<std::string>& added) {
  const auto& spec = *sources::AllTables()[t];
  // Folders where a replaced file was not read yet: the files replacing it are.
  std::set<std::string> unread_replaced;
  for (const auto& url : replaced) {
    const auto it = folders_.find({t, FolderOf(spec, url)});
    if (it == folders_.end()) continue;
    it->second.files.erase(url);
    auto& unread = it->second.unread;
    if (const auto at = std::find(unread.begin(), unread.end(), url); at != unread.end()) {
      unread.erase(at);
      unread_replaced.insert(it->first.second);
    }
  }
  for (const auto& url : added) {
    const std::string name = FolderOf(spec, url);
    Folder& folder = folders_[{t, name}];
    if (folder.files.insert(url).second && folder.keys && unread_replaced.contains(name)) {
      folder.unread.push_back(url);
    }
  }
}

void KeyIndex::AddBatch(int t, const std::vector<std::string>& files,
                        std::map<std::string, HashSet64>& keys) {
  const auto& spec = *sources::AllTables()[t];
  for (const auto& url : files) folders_[{t, FolderOf(spec, url)}].files.insert(url);
  for (auto& [name, batch] : keys) {
    Folder& folder = folders_[{t, name}];
    if (!folder.keys) continue;  // its files hold them, read if it is loaded again
    bytes_ -= folder.keys->bytes();
    // The smaller set goes into the larger: no copy of a big batch's keys.
    if (folder.keys->size() < batch.size()) std::swap(*folder.keys, batch);
    folder.keys->InsertAll(batch);
    bytes_ += folder.keys->bytes();
  }
  Evict(nullptr);
}

Result<const HashSet64*> KeyIndex::Keys(int t, const std::string& name, const Reader& read) {
  Folder& folder = folders_[{t, name}];
  folder.used = ++use_;
  if (folder.keys && !folder.unread.empty()) {
    // Files another writer committed since the keys were read: those files only.
    const auto& spec = *sources::AllTables()[t];
    bytes_ -= folder.keys->bytes();
    auto s = read(folder.unread, spec.columns[spec.key].name, {},
                  [&](std::string_view key) { folder.keys->Insert(Hash64(key)); });
    bytes_ += folder.keys->bytes();
    if (!s) return tl::unexpected(s.error());
    unread_files_ += static_cast<std::int64_t>(folder.unread.size());
    folder.unread.clear();
    Evict(&folder);
  }
  if (!folder.keys) {
    HashSet64 keys;
    if (!folder.files.empty()) {
      const std::vector<std::string> files(folder.files.begin(), folder.files.end());
      const auto& spec = *sources::AllTables()[t];
      auto s = read(files, spec.columns[spec.key].name, {},
                    [&](std::string_view key) { keys.Insert(Hash64(key)); });
      if (!s) return tl::unexpected(s.error());
      ++loads_;
    }
    folder.keys = std::move(keys);
    bytes_ += folder.keys->bytes();
    Evict(&folder);
  }
  return &*folder.keys;
}

bool KeyIndex::ShouldProbe(int t, const std::string& name) const {
  const auto it = folders_.find({t, name});
  return it != folders_.end() && !it->second.keys && !it->second.probed &&
         !it->second.files.empty();
}

Result<HashSet64> KeyIndex::Probe(int t, const std::string& name,
                                  std::span<const std::string_view> keys, const Reader& read) {
  HashSet64 found;
  const auto it = folders_.find({t, name});
  if (it == folders_.end() || it->second.files.empty() || keys.empty()) return found;
  Folder& folder = it->second;
  folder.probed = true;
  const std::vector<std::string> files(folder.files.begin(), folder.files.end());
  const auto& spec = *sources::AllTables()[t];
  auto s = read(files, spec.columns[spec.key].name, keys,
                [&](std::string_view key) { found.Insert(Hash64(key)); });
  if (!s) return tl::unexpected(s.error());
  ++probes_;
  return found;
}

void KeyIndex::Evict(const Folder* keep) {
  while (bytes_ > budget_) {
    Folder* oldest = nullptr;
    for (auto& [key, folder] : folders_) {
      if (&folder == keep || !folder.keys) continue;
      if (oldest == nullptr || folder.used < oldest->used) oldest = &folder;
    }
    if (oldest == nullptr) return;  // only `keep` is loaded: it stays, over the budget
    Unload(*oldest);
    ++evictions_;
  }
}

}  // namespace playlake::silver
