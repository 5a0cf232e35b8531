#include "sources/tables.h"

namespace playlake::sources {
namespace {

using T = ColumnType;

// Lineage columns shared by every table.
#define PLAYLAKE_LINEAGE_COLUMNS                                                        \
  {"source_format", T::kText, "input format (playlake, eventsim, spotify-history, ...)"}, \
      {"source_file", T::kText, "path of the input file as given to ingest"},             \
      {"source_line", T::kInt64, "1-based line of the record (or of its first byte)"},    \
      {"batch_id", T::kText, "bronze/silver batch the row came from"}

constexpr ColumnSpec kPlays[] = {
    {"play_id", T::kText, "event_id, or a content hash for sources without ids (unique)"},
    {"event_ts", T::kTimestamp, "start of the play, UTC"},
    {"event_date", T::kDate, "UTC date of event_ts (partition)"},
    {"end_ts", T::kTimestamp, "end of the play, UTC, when the source says it"},
    {"user_id", T::kText, "listener"},
    {"session_id", T::kText, "session of the listener"},
    {"item_in_session", T::kInt64, "position in the session (eventsim)"},
    {"track_id", T::kText, "track key; Spotify URIs reduced to the id; NULL when the source has none"},
    {"artist_id", T::kText, "artist key"},
    {"album_id", T::kText, "album key"},
    {"track_name", T::kText, "track title (UTF-8 repaired, trimmed)"},
    {"artist_name", T::kText, "artist name (UTF-8 repaired, trimmed)"},
    {"album_name", T::kText, "album name"},
    {"ms_played", T::kInt64, "milliseconds listened, 0..86,400,000"},
    {"duration_ms", T::kInt64, "track length in ms"},
    {"country", T::kText, "ISO 3166-1 alpha-2"},
    {"region", T::kText, "subdivision code(s) or name (Sparkify: state codes, e.g. NY-NJ-PA)"},
    {"city", T::kText, "city or metro area"},
    {"timezone", T::kText, "IANA time zone of the listener"},
    {"device", T::kText, "mobile, desktop, web, tablet, tv, car, speaker, console"},
    {"platform", T::kText, "ios, android, windows, macos, linux, web, ..."},
    {"level", T::kText, "free or paid"},
    {"reason_start", T::kText, "why the play started (Spotify values)"},
    {"reason_end", T::kText, "why the play ended (Spotify values)"},
    {"shuffle", T::kBool, "shuffle mode on"},
    {"skipped", T::kBool, "listener skipped before the end"},
    {"offline", T::kBool, "played offline"},
    {"offline_ts", T::kTimestamp, "Spotify offline_timestamp, UTC (s/ms resolved)"},
    {"incognito", T::kBool, "Spotify private session"},
    {"user_agent", T::kText, "client user agent, surrounding quotes stripped"},
    PLAYLAKE_LINEAGE_COLUMNS,
};

constexpr ColumnSpec kPageViews[] = {
    {"page_view_id", T::kText, "content hash of (userId, sessionId, itemInSession, ts) (unique)"},
    {"event_ts", T::kTimestamp, "time of the request, UTC"},
    {"event_date", T::kDate, "UTC date of event_ts (partition)"},
    {"user_id", T::kText, "listener; NULL when logged out"},
    {"session_id", T::kText, "session"},
    {"item_in_session", T::kInt64, "position in the session"},
    {"page", T::kText, "page name (Home, Upgrade, ...)"},
    {"auth", T::kText, "Logged In, Logged Out, Guest, Cancelled"},
    {"method", T::kText, "HTTP method"},
    {"http_status", T::kInt64, "HTTP status"},
    {"level", T::kText, "free or paid"},
    {"country", T::kText, "ISO 3166-1 alpha-2"},
    {"region", T::kText, "state code(s)"},
    {"city", T::kText, "metro area"},
    {"timezone", T::kText, "IANA time zone"},
    {"device", T::kText, "device class from the user agent"},
    {"platform", T::kText, "operating system from the user agent"},
    {"user_agent", T::kText, "user agent, surrounding quotes stripped"},
    PLAYLAKE_LINEAGE_COLUMNS,
};

constexpr ColumnSpec kUsers[] = {
    {"user_key", T::kText, "hash of the user's attributes: one row per distinct observed version"},
    {"user_id", T::kText, "listener"},
    {"first_name", T::kText, "first name"},
    {"last_name", T::kText, "last name"},
    {"gender", T::kText, "as given (M, F, ...)"},
    {"level", T::kText, "free or paid"},
    {"country", T::kText, "ISO 3166-1 alpha-2"},
    {"region", T::kText, "subdivision"},
    {"city", T::kText, "city"},
    {"timezone", T::kText, "IANA time zone"},
    {"registration_ts", T::kTimestamp, "registration time, UTC"},
    {"device", T::kText, "device class"},
    {"platform", T::kText, "platform"},
    {"observed_ts", T::kTimestamp, "first event time this version was seen (NULL for catalogs)"},
    PLAYLAKE_LINEAGE_COLUMNS,
};

constexpr ColumnSpec kTracks[] = {
    {"track_id", T::kText, "track key (MSD song_id, catalog track_id) (unique)"},
    {"name", T::kText, "title"},
    {"artist_id", T::kText, "artist key"},
    {"album_id", T::kText, "album key"},
    {"artist_name", T::kText, "artist name"},
    {"album_name", T::kText, "album name"},
    {"duration_ms", T::kInt64, "length in ms (MSD seconds × 1000, rounded)"},
    {"year", T::kInt64, "release year; NULL when unknown (MSD year 0)"},
    {"release_date", T::kDate, "release date"},
    {"genre", T::kText, "genre"},
    {"explicit", T::kBool, "explicit lyrics"},
    {"danceability", T::kDouble, "0..1"},
    {"energy", T::kDouble, "0..1"},
    {"valence", T::kDouble, "0..1"},
    {"acousticness", T::kDouble, "0..1"},
    {"instrumentalness", T::kDouble, "0..1"},
    {"speechiness", T::kDouble, "0..1"},
    {"liveness", T::kDouble, "0..1"},
    {"tempo", T::kDouble, "beats per minute"},
    {"loudness", T::kDouble, "dB, <= 0"},
    PLAYLAKE_LINEAGE_COLUMNS,
};

constexpr ColumnSpec kArtists[] = {
    {"artist_id", T::kText, "artist key (unique)"},
    {"name", T::kText, "name"},
    {"genre", T::kText, "primary genre"},
    {"country", T::kText, "ISO 3166-1 alpha-2"},
    {"location", T::kText, "free-text location (MSD)"},
    {"latitude", T::kDouble, "degrees"},
    {"longitude", T::kDouble, "degrees"},
    PLAYLAKE_LINEAGE_COLUMNS,
};

constexpr ColumnSpec kAlbums[] = {
    {"album_id", T::kText, "album key (unique)"},
    {"artist_id", T::kText, "artist key"},
    {"name", T::kText, "title"},
    {"release_date", T::kDate, "release date"},
    {"album_type", T::kText, "album or single"},
    PLAYLAKE_LINEAGE_COLUMNS,
};

constexpr ColumnSpec kEpisodes[] = {
    {"play_id", T::kText, "content hash of the export row (unique)"},
    {"event_ts", T::kTimestamp, "start of the play, UTC (end minus ms_played)"},
    {"event_date", T::kDate, "UTC date of event_ts (partition)"},
    {"end_ts", T::kTimestamp, "end of the play, UTC (Spotify's ts)"},
    {"user_id", T::kText, "listener"},
    {"kind", T::kText, "podcast or audiobook"},
    {"episode_id", T::kText, "id of spotify_episode_uri"},
    {"episode_name", T::kText, "episode name"},
    {"show_name", T::kText, "show name"},
    {"audiobook_id", T::kText, "id of audiobook_uri"},
    {"audiobook_title", T::kText, "audiobook title"},
    {"chapter_id", T::kText, "id of audiobook_chapter_uri"},
    {"chapter_title", T::kText, "chapter title"},
    {"ms_played", T::kInt64, "milliseconds listened"},
    {"country", T::kText, "ISO 3166-1 alpha-2 (conn_country)"},
    {"device", T::kText, "device class"},
    {"platform", T::kText, "platform"},
    {"reason_start", T::kText, "why it started"},
    {"reason_end", T::kText, "why it ended"},
    {"shuffle", T::kBool, "shuffle"},
    {"skipped", T::kBool, "skipped"},
    {"offline", T::kBool, "offline"},
    {"offline_ts", T::kTimestamp, "offline timestamp, UTC"},
    {"incognito", T::kBool, "private session"},
    PLAYLAKE_LINEAGE_COLUMNS,
};

constexpr ColumnSpec kQuarantine[] = {
    {"quarantine_id", T::kText, "hash of (batch, byte offset, reason) (unique)"},
    {"target_table", T::kText, "table the record was meant for, or 'unknown'"},
    {"reason", T::kText, "reason code (docs/silver.md)"},
    {"detail", T::kText, "what exactly was wrong (field, value, parser message)"},
    {"source_format", T::kText, "input format"},
    {"source_file", T::kText, "input file"},
    {"line", T::kInt64, "1-based line where the record starts (Kafka: the message offset)"},
    {"byte_offset", T::kInt64, "byte offset where the record starts"},
    {"raw", T::kBlob, "the record's raw bytes, first 65,536 only"},
    {"raw_length", T::kInt64, "full length of the raw record in bytes"},
    {"batch_id", T::kText, "batch"},
};

#undef PLAYLAKE_LINEAGE_COLUMNS

constexpr TableSpec kSpecs[] = {
    {"plays", kPlays, kPlayId, kPlayEventDate, "one listen of a track"},
    {"page_views", kPageViews, kPvId, kPvEventDate, "eventsim requests other than NextSong"},
    {"users", kUsers, kUserKey, -1, "listener attributes, one row per distinct observed version"},
    {"tracks", kTracks, kTrackId, -1, "tracks from song files and catalogs"},
    {"artists", kArtists, kArtistId, -1, "artists from song files and catalogs"},
    {"albums", kAlbums, kAlbumId, -1, "albums from catalogs"},
    {"episodes", kEpisodes, kEpId, kEpEventDate, "podcast and audiobook plays of Spotify exports"},
    {"quarantine", kQuarantine, kQId, -1, "rejected records, with reason and lineage"},
};

constexpr const TableSpec* kAll[] = {&kSpecs[0], &kSpecs[1], &kSpecs[2], &kSpecs[3],
                                     &kSpecs[4], &kSpecs[5], &kSpecs[6], &kSpecs[7]};

static_assert(std::size(kPlays) == kPlayBatchId + 1);
static_assert(std::size(kPageViews) == kPvBatchId + 1);
static_assert(std::size(kUsers) == kUserBatchId + 1);
static_assert(std::size(kTracks) == kTrackBatchId + 1);
static_assert(std::size(kArtists) == kArtistBatchId + 1);
static_assert(std::size(kAlbums) == kAlbumBatchId + 1);
static_assert(std::size(kEpisodes) == kEpBatchId + 1);
static_assert(std::size(kQuarantine) == kQBatchId + 1);

}  // namespace

const TableSpec& SpecOf(Table table) { return kSpecs[static_cast<int>(table)]; }

std::span<const TableSpec* const> AllTables() { return kAll; }

}  // namespace playlake::sources
