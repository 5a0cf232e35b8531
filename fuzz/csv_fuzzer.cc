// CSV play events: the header line, the field splitter and CSV rows through
// RecordParser. Input: a CSV file (line 1 is the header).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "fuzz_input.h"
#include "parser_support.h"
#include "sources/csv.h"
#include "sources/record_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace playlake;
  const std::string_view text = fuzz::AsText(data, size);
  const std::size_t header_end = text.find('\n');
  // Static: the parser keeps a pointer to the last header it was given.
  static std::optional<sources::CsvHeader> header;
  header.reset();
  if (auto parsed = sources::CsvHeader::Parse(text.substr(0, header_end)))
    header.emplace(std::move(*parsed));
  // The splitter on its own sees every line, the header's included.
  sources::CsvSplitter splitter;
  fuzz::ForEachLine(text, [&](std::string_view line) {
    if (!splitter.Split(line) && splitter.fields().empty())
      fuzz::Violated("a split line without fields");
  });
  if (!header || header_end == std::string_view::npos) return 0;
  sources::RecordParser& parser = fuzz::ParserFor(sources::Format::kCsv, "plays.csv", "");
  parser.SetCsvHeader(&*header);
  sources::TableBatches& out = fuzz::EmptyBatches();
  fuzz::ForEachLine(text.substr(header_end + 1), [&](std::string_view line) {
    const std::size_t rows_before = fuzz::TotalRows(out);
    auto result = parser.Parse(line, line.size(), 2, out);
    if (!result) fuzz::Violated("a CSV line gave an error instead of a row or a rejection");
    fuzz::CheckParsed(*result, rows_before, out);
  });
  return 0;
}
