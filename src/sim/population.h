// The simulated listeners: where they live, what they use, what they like,
// when they joined, when they change plan and when they leave.
//
// Population::Build is a pure function of (seed, options). Everything that
// changes over time for a user (level changes, churn) is decided here, up
// front, so that any simulated hour can later be generated independently of
// the others (the basis of thread-count-independent output).
//
// Thread safety: immutable after Build; share freely between threads.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace playlake::sim {

struct PopulationOptions {
  uint64_t seed = 1;
  uint32_t users = 1000;  // REQUIRES: >= 1
  int64_t start_ms = 0;   // simulated range [start_ms, end_ms)
  int64_t end_ms = 0;
};

inline constexpr int kFavoriteGenres = 3;
inline constexpr int kMaxLevelChanges = 3;

enum class Level : uint8_t { kFree = 0, kPaid = 1 };

struct DevicePlatform {
  const char* device;
  const char* platform;
  double share;
  uint8_t user_agent;  // index into UserAgents()
};
std::span<const DevicePlatform> DevicePlatforms();
// Browser user agents for eventsim output (some contain commas, which eventsim
// writes wrapped in literal quotes).
std::span<const char* const> UserAgents();

struct User {
  std::string id;  // decimal, "1" ... "N" (eventsim's userId uses the same value)
  std::string first_name;
  std::string last_name;
  char gender;            // 'M' or 'F'
  uint16_t city;          // index into Cities()
  uint8_t device;         // index into DevicePlatforms(): the primary device
  uint8_t second_device;  // used for some sessions
  int64_t registration_ms;
  int64_t churn_ms;                     // INT64_MAX: never churns inside the range
  Level initial_level;                  // at registration
  uint8_t level_changes;                // number of valid entries in change_ms
  int64_t change_ms[kMaxLevelChanges];  // each change flips the level
  double plays_per_day;                 // mean activity while active
  uint8_t favorite_genres[kFavoriteGenres];
  double skip_trait;  // multiplies skip probability (impatience)

  Level LevelAt(int64_t ms) const {
    int flips = 0;
    for (int i = 0; i < level_changes && change_ms[i] <= ms; ++i) ++flips;
    return static_cast<Level>((static_cast<int>(initial_level) + flips) & 1);
  }
  bool ActiveAt(int64_t ms) const { return ms >= registration_ms && ms < churn_ms; }
};

class Population {
 public:
  static Population Build(const PopulationOptions& options);
  const std::vector<User>& users() const { return users_; }

 private:
  std::vector<User> users_;
};

}  // namespace playlake::sim
