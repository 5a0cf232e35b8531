// Bronze keys: where a raw input lands, unchanged, zstd-compressed.
#pragma once

#include <chrono>
#include <string>

namespace playlake::lake {

// bronze/<source>/<entity>/ingest_date=YYYY-MM-DD/hour=HH/<batch-id>.<nonce>.<ext>.zst
// `ext` is the input's own extension (jsonl, json, csv), so the original bytes
// come back with `zstd -d`. The nonce keeps a retried write from colliding
// with the leftover of a crashed one (which no manifest lists).
std::string BronzeKey(const std::string& source, const std::string& entity,
                      std::chrono::system_clock::time_point ingest_time,
                      const std::string& batch_id, const std::string& nonce,
                      const std::string& ext);

// "YYYY-MM-DD" of a UTC time point.
std::string UtcDate(std::chrono::system_clock::time_point t);

}  // namespace playlake::lake
