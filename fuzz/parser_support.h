// What the fuzz targets of the record parsers share: parsers reused across
// inputs, and the checks made on what a parser produced (what silver would
// hand to DuckDB must be loadable, and nothing accepted may vanish).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "fuzz_input.h"
#include "sources/record_parser.h"
#include "sources/text.h"

namespace playlake::fuzz {

// One parser per batch context, reused for every input as silver reuses one
// per worker (a new parser per input would mostly measure its allocation).
// Not thread safe (libFuzzer runs one input at a time).
inline sources::RecordParser& ParserFor(sources::Format format, const std::string& file_name,
                                        const std::string& user) {
  struct Reader {
    std::unique_ptr<sources::BatchContext> context;
    std::unique_ptr<sources::RecordParser> parser;
  };
  static std::map<std::string, Reader> readers;
  Reader& reader = readers[std::to_string(static_cast<int>(format)) + "/" + file_name + "/" + user];
  if (!reader.parser) {
    reader.context = std::make_unique<sources::BatchContext>(
        sources::BatchContext{format, "/fuzz/" + file_name, file_name, "fuzz-batch", user, ""});
    reader.parser = std::make_unique<sources::RecordParser>(*reader.context);
  }
  return *reader.parser;
}

// Batches emptied for the next input (their memory is kept).
inline sources::TableBatches& EmptyBatches() {
  static sources::TableBatches batches;
  for (sources::ColumnBatch& batch : batches.batches) batch.Clear();
  return batches;
}

inline std::size_t TotalRows(sources::TableBatches& batches) {
  std::size_t rows = 0;
  for (const sources::ColumnBatch& batch : batches.batches) rows += batch.rows();
  return rows;
}

// Aborts when a text column holds invalid UTF-8 (DuckDB refuses such a
// VARCHAR, failing the whole batch) or a rejection has no reason.
inline void CheckParsed(const std::optional<sources::Rejection>& rejection, std::size_t rows_before,
                        sources::TableBatches& batches) {
  if (rejection) {
    if (rejection->reason.empty()) Violated("a rejection without a reason");
    if (!sources::IsValidUtf8(rejection->detail)) Violated("a rejection detail that is not UTF-8");
    if (TotalRows(batches) != rows_before) Violated("a rejected record added rows");
    return;
  }
  if (TotalRows(batches) == rows_before) Violated("an accepted record added no row");
  for (const sources::ColumnBatch& batch : batches.batches) {
    const auto& columns = batch.spec().columns;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (columns[c].type != sources::ColumnType::kText) continue;
      for (std::size_t row = 0; row < batch.rows(); ++row) {
        if (batch.IsValid(static_cast<int>(c), row) &&
            !sources::IsValidUtf8(batch.Text(static_cast<int>(c), row))) {
          Violated("a text column holds invalid UTF-8");
        }
      }
    }
  }
}

}  // namespace playlake::fuzz
