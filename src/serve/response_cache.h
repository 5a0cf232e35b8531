// ResponseCache: the API's answers, kept by endpoint and parameters.
//
// The server opens the warehouse read-only and holds it for its lifetime, so
// gold cannot change under it and an answer never goes stale while the
// process runs. The cache holds at most `capacity` answers and forgets the
// least recently used one first; capacity 0 disables it.
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <cstddef>
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

  std::optional<nlohmann::json> Find(const std::string& key);
  void Put(const std::string& key, const nlohmann::json& answer);

 private:
  using Entry = std::pair<std::string, nlohmann::json>;
  const std::size_t capacity_;
  std::mutex mu_;
  std::list<Entry> entries_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace playlake::serve
