// Sinks: where generated lines go. Files are written with AtomicFile
// (common/atomic_file.h): under a temporary name in the target folder, renamed
// into place only when complete, so a reader never sees a partial file (an
// interrupted run leaves no output).
//
// Errors are kIo values naming the path. Thread safety: none; one writer.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"

namespace playlake::sim {

class Sink {
 public:
  virtual ~Sink() = default;
  // Called before the lines of a new UTC day (days since epoch); per-day
  // sinks switch files here, others ignore it.
  virtual Status StartDay(int64_t day) = 0;
  // Writes the parts in order (one writev(2) per 1,024 parts for files).
  virtual Status WriteParts(std::span<const std::string_view> parts) = 0;
  Status Write(std::string_view bytes) {
    return WriteParts(std::span<const std::string_view>(&bytes, 1));
  }
  // Pushes buffered bytes to the OS (real-time mode calls it regularly).
  virtual Status Flush() = 0;
  // Completes the output (renames temporary files into place).
  virtual Status Finish() = 0;
  // Human description for the summary line ("stdout", "out.jsonl", "dir/ (7 files)").
  virtual std::string Describe() const = 0;
};

// `-`: stdout; an existing directory or a path ending in '/': one file per
// UTC day named events-YYYY-MM-DD.jsonl; an existing device or pipe: written
// in place; otherwise one file, written atomically.
Result<std::unique_ptr<Sink>> OpenSink(const std::string& out);

}  // namespace playlake::sim
