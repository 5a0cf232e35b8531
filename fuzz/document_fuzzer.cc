// A whole input file as silver reads it: format detection from the file name
// and the first bytes, framing into records (lines, a JSON array, a sequence
// of JSON values), the CSV header, then every record through RecordParser.
// Input: a selector byte (the file name), then the file's bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "fuzz_input.h"
#include "parser_support.h"
#include "sources/csv.h"
#include "sources/format.h"
#include "sources/framing.h"
#include "sources/record_parser.h"

namespace {

using namespace playlake;

constexpr const char* kFileNames[] = {"events-2026-06-09.jsonl",
                                      "2018-11-01-events.json",
                                      "TRAAAAW128F429D538.json",
                                      "Streaming_History_Audio_2023.json",
                                      "endsong_0.json",
                                      "StreamingHistory0.json",
                                      "plays.csv",
                                      "tracks.jsonl",
                                      "users.jsonl",
                                      "unknown.bin"};
constexpr std::size_t kHeadBytes = 4096;  // what silver's ingest reads to detect a format

void CheckFramed(const sources::FramedDocument& doc, std::size_t size) {
  std::size_t previous_end = 0;
  for (const sources::RecordSpan& span : doc.records) {
    // An empty span is allowed: `[{...},]` frames an empty record after the
    // trailing comma, which the parser then quarantines.
    if (span.begin < previous_end || span.begin > span.end || span.end > size || span.line < 1) {
      fuzz::Violated("a framed record outside the document or out of order");
    }
    previous_end = span.end;
  }
  if (doc.has_bad_tail && (doc.bad_tail.begin > doc.bad_tail.end || doc.bad_tail.end > size ||
                           doc.bad_tail.begin < previous_end || doc.bad_reason.empty())) {
    fuzz::Violated("a bad tail outside the document or without a reason");
  }
}

void ParseRecord(sources::RecordParser& parser, std::string_view record,
                 sources::TableBatches& out) {
  std::string padded(record);
  padded.resize(record.size() + sources::kRecordPadding, ' ');
  const std::size_t rows_before = fuzz::TotalRows(out);
  auto result = parser.Parse(std::string_view(padded.data(), record.size()), padded.size(), 1, out);
  if (result) fuzz::CheckParsed(*result, rows_before, out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = fuzz::AsText(data, size);
  const std::string file_name = kFileNames[fuzz::TakeSelector(text) % std::size(kFileNames)];
  auto format = sources::DetectFormat(file_name, text.substr(0, kHeadBytes));
  if (!format) return 0;  // quarantined whole by silver
  sources::RecordParser& parser = fuzz::ParserFor(*format, file_name, "fuzz-listener");
  sources::TableBatches& out = fuzz::EmptyBatches();
  switch (sources::FramingOf(*format)) {
    case sources::Framing::kLines: {
      static std::optional<sources::CsvHeader> header;  // outlives the parser's use of it
      header.reset();
      bool first = true;
      fuzz::ForEachLine(text, [&](std::string_view line) {
        if (*format == sources::Format::kCsv && first) {
          first = false;
          if (auto parsed = sources::CsvHeader::Parse(line)) {
            header.emplace(std::move(*parsed));
            parser.SetCsvHeader(&*header);
          }
          return;
        }
        if (*format == sources::Format::kCsv && !header) return;  // the file is refused whole
        ParseRecord(parser, line, out);
      });
      break;
    }
    case sources::Framing::kJsonArray:
    case sources::Framing::kJsonValues: {
      const sources::FramedDocument doc =
          sources::FramingOf(*format) == sources::Framing::kJsonArray
              ? sources::FrameJsonArray(text)
              : sources::FrameJsonValues(text);
      CheckFramed(doc, text.size());
      for (const sources::RecordSpan& span : doc.records) {
        ParseRecord(parser, text.substr(span.begin, span.end - span.begin), out);
      }
      break;
    }
  }
  return 0;
}
