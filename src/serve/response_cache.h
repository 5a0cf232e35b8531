// ResponseCache: the API's answers, kept by endpoint and parameters.
//
// Answers belong to one build of gold (warehouse::Reader::Snapshot's
// generation): a build held never changes, so its answers never go stale, and
// once a newer build answers, the older build's answers are forgotten. The
// cache holds at most `capacity` answers and forgets the least recently used
// one first; capacity 0 disables it.
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "serve/server.h"

namespace playlake::serve {

class ResponseCache {
 public:
  explicit ResponseCache(std::size_t capacity) : capacity_(capacity) {}

  // The key of one request: endpoint name and its parameters (a sorted map,
  // so equal requests give equal keys).
  static std::string Key(const std::string& endpoint, const Params& params);

  // The answer to `key` from build `generation`, if kept.
  std::optional<nlohmann::json> Find(const std::string& key, std::uint64_t generation);
  // Keeps an answer from build `generation` (nothing when a newer build has answered).
  void Put(const std::string& key, std::uint64_t generation, const nlohmann::json& answer);

 private:
  using Entry = std::pair<std::string, nlohmann::json>;
  const std::size_t capacity_;
  std::mutex mu_;
  std::uint64_t generation_ = 0;  // of every answer kept
  std::list<Entry> entries_;      // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace playlake::serve
