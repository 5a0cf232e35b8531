// Writes the world's catalog and population as the NDJSON files described in
// docs/event-contract.md ("Simulator catalog files"): artists.jsonl,
// albums.jsonl, tracks.jsonl, users.jsonl. Every id an event refers to is in
// them. Each file is written atomically. Errors: kIo naming the file.
#pragma once

#include <filesystem>

#include "common/result.h"
#include "sim/world.h"

namespace playlake::sim {

Status WriteCatalogFiles(const World& world, const std::filesystem::path& dir);

}  // namespace playlake::sim
