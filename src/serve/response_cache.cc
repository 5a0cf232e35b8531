#include "serve/response_cache.h"

namespace playlake::serve {

std::string ResponseCache::Key(const std::string& endpoint, const Params& params) {
  std::string key = endpoint;
  for (const auto& [name, value] : params) {
    // Length-prefixed, so no value (validated or not) can mimic two parameters.
    key +=
        '|' + std::to_string(name.size()) + ':' + name + std::to_string(value.size()) + ':' + value;
  }
  return key;
}

std::optional<nlohmann::json> ResponseCache::Find(const std::string& key,
                                                  std::uint64_t generation) {
  std::lock_guard lock(mu_);
  if (generation != generation_) return std::nullopt;
  const auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  entries_.splice(entries_.begin(), entries_, it->second);
  return it->second->second;
}

void ResponseCache::Put(const std::string& key, std::uint64_t generation,
                        const nlohmann::json& answer) {
  if (capacity_ == 0) return;
  std::lock_guard lock(mu_);
  if (generation < generation_) return;  // answered from a build replaced since
  if (generation > generation_) {
    entries_.clear();
    index_.clear();
    generation_ = generation;
  }
  if (const auto it = index_.find(key); it != index_.end()) {
    it->second->second = answer;
    entries_.splice(entries_.begin(), entries_, it->second);
    return;
  }
  entries_.emplace_front(key, answer);
  index_[key] = entries_.begin();
  if (entries_.size() > capacity_) {
    index_.erase(entries_.back().first);
    entries_.pop_back();
  }
}

}  // namespace playlake::serve
