// Landing one API answer: raw in bronze, its rows in silver, in one batch.
//
// A batch is one answer: its id is derived from source, pull, request URL,
// body and a caller's `salt`, so an answer fetched again after a crash finds
// its batch committed and adds nothing. Bronze keeps the body unchanged
// (bronze/<source>/<pull>/…json.zst); its manifest entry's input_path is the
// request URL, which never holds a token.
//
// Ownership: borrows the lake, the writer and the report. Thread safety: Land
// may be called from several threads (one answer is landed at a time).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.h"
#include "lake/lake.h"
#include "spotify/pull.h"
#include "spotify/silver_rows.h"

namespace playlake::spotify {

// Rows one answer gives each silver table.
using TableRows = std::map<std::string, std::vector<SilverRow>>;

class Lander {
 public:
  Lander(lake::Lake& lake, const std::string& source, SilverRowWriter& writer, PullReport& report)
      : lake_(lake), source_(source), writer_(writer), report_(report) {}

  // Lands `body`, the answer to `url` for `pull`, in bronze and `rows` in
  // silver, committing `stats` (a checkpoint) with the silver entry. `salt`
  // tells apart answers that are new observations of the same body (a
  // catalog lookup repeated after its refresh age). Counts the answer in the
  // report (responses or already, rows).
  Status Land(const std::string& pull, const std::string& url, const std::string& body,
              const TableRows& rows, const std::map<std::string, std::int64_t>& stats,
              const std::string& salt = "");

  lake::Lake& lake() { return lake_; }

 private:
  Result<lake::DataFile> WriteBronze(const std::string& pull, const std::string& batch_id,
                                     const std::string& body);

  lake::Lake& lake_;
  const std::string& source_;
  SilverRowWriter& writer_;
  PullReport& report_;
  std::mutex mutex_;
};

}  // namespace playlake::spotify
