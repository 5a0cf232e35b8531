// Crash points: named steps of the commit protocol where a test can kill the
// process, to prove that a crash at any step leaves the lake consistent.
//
// Production code calls `faults.At("bronze-synced")` at each step; the
// default FaultHooks does nothing. CrashAt kills the process with SIGKILL
// (no destructors, no flushing — like kill -9) when the named step is reached.
// The steps are listed in docs/lake-format.md; the CLI exposes them only
// through the hidden flag `playlake ingest --crash-at STEP`.
#pragma once

#include <string>
#include <string_view>

namespace playlake::lake {

class FaultHooks {
 public:
  virtual ~FaultHooks() = default;
  virtual void At(std::string_view /*step*/) {}
};

class CrashAt final : public FaultHooks {
 public:
  // Kills the process at the `occurrence`-th time (1-based) `step` is reached.
  explicit CrashAt(std::string step, int occurrence = 1)
      : step_(std::move(step)), remaining_(occurrence) {}
  void At(std::string_view step) override;

 private:
  std::string step_;
  int remaining_;
};

// The named steps, in the order one input goes through them.
inline constexpr std::string_view kCrashSteps[] = {
    "bronze-written",    // bronze data file fully written, not yet fsynced
    "bronze-synced",     // bronze data file durable, manifest not yet published
    "bronze-committed",  // bronze manifest published, silver not started
    "silver-staged",     // silver Parquet files written, not yet fsynced
    "silver-synced",     // silver files durable, manifest not yet published
    "silver-committed",  // silver manifest published
};

}  // namespace playlake::lake
