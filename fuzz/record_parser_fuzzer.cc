// One JSON record of any JSON input format through RecordParser::Parse.
// Input: a selector byte (format, and the catalog file name), then the record.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_input.h"
#include "parser_support.h"
#include "sources/format.h"
#include "sources/record_parser.h"

namespace {

using playlake::sources::Format;

constexpr Format kFormats[] = {Format::kPlaylake,      Format::kEventsim,
                               Format::kMsdSong,       Format::kSpotifyHistory,
                               Format::kSpotifyLegacy, Format::kPlaylakeCatalog};
constexpr const char* kCatalogFiles[] = {"artists.jsonl", "albums.jsonl", "tracks.jsonl",
                                         "users.jsonl"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace playlake;
  std::string_view text = fuzz::AsText(data, size);
  const unsigned selector = fuzz::TakeSelector(text);
  const Format format = kFormats[selector % std::size(kFormats)];
  const std::string file_name =
      format == Format::kPlaylakeCatalog
          ? kCatalogFiles[(selector / std::size(kFormats)) % std::size(kCatalogFiles)]
          : "input.json";
  // Selectors with bit 0x80 name the listener, as `--user` does for Spotify exports.
  const std::string user = (selector & 0x80) ? "fuzz-listener" : "";
  sources::RecordParser& parser = fuzz::ParserFor(format, file_name, user);
  std::string padded(text);
  padded.resize(text.size() + sources::kRecordPadding, ' ');
  sources::TableBatches& out = fuzz::EmptyBatches();
  auto result = parser.Parse(std::string_view(padded.data(), text.size()), padded.size(), 1, out);
  if (!result) return 0;  // an error for the whole file (e.g. an export without a listener)
  fuzz::CheckParsed(*result, 0, out);
  return 0;
}
