// The silver tables every source is parsed into (documented in docs/silver.md,
// which is checked against these specs by a test).
//
// Column enums index TableSpec::columns; keep both in the same order.
#pragma once

#include <span>
#include <string_view>

#include "sources/column_batch.h"

namespace playlake::sources {

enum PlayColumn : int {
  kPlayId, kPlayEventTs, kPlayEventDate, kPlayEndTs, kPlayUserId, kPlaySessionId,
  kPlayItemInSession, kPlayTrackId, kPlayArtistId, kPlayAlbumId, kPlayTrackName,
  kPlayArtistName, kPlayAlbumName, kPlayMsPlayed, kPlayDurationMs, kPlayCountry, kPlayRegion,
  kPlayCity, kPlayTimezone, kPlayDevice, kPlayPlatform, kPlayLevel, kPlayReasonStart,
  kPlayReasonEnd, kPlayShuffle, kPlaySkipped, kPlayOffline, kPlayOfflineTs, kPlayIncognito,
  kPlayUserAgent, kPlaySourceFormat, kPlaySourceFile, kPlaySourceLine, kPlayBatchId,
};

enum PageViewColumn : int {
  kPvId, kPvEventTs, kPvEventDate, kPvUserId, kPvSessionId, kPvItemInSession, kPvPage, kPvAuth,
  kPvMethod, kPvHttpStatus, kPvLevel, kPvCountry, kPvRegion, kPvCity, kPvTimezone, kPvDevice,
  kPvPlatform, kPvUserAgent, kPvSourceFormat, kPvSourceFile, kPvSourceLine, kPvBatchId,
};

enum UserColumn : int {
  kUserKey, kUserId, kUserFirstName, kUserLastName, kUserGender, kUserLevel, kUserCountry,
  kUserRegion, kUserCity, kUserTimezone, kUserRegistrationTs, kUserDevice, kUserPlatform,
  kUserObservedTs, kUserSourceFormat, kUserSourceFile, kUserSourceLine, kUserBatchId,
};

enum TrackColumn : int {
  kTrackId, kTrackName, kTrackArtistId, kTrackAlbumId, kTrackArtistName, kTrackAlbumName,
  kTrackDurationMs, kTrackYear, kTrackReleaseDate, kTrackGenre, kTrackExplicit,
  kTrackDanceability, kTrackEnergy, kTrackValence, kTrackAcousticness, kTrackInstrumentalness,
  kTrackSpeechiness, kTrackLiveness, kTrackTempo, kTrackLoudness, kTrackSourceFormat,
  kTrackSourceFile, kTrackSourceLine, kTrackBatchId,
};

enum ArtistColumn : int {
  kArtistId, kArtistName, kArtistGenre, kArtistCountry, kArtistLocation, kArtistLatitude,
  kArtistLongitude, kArtistSourceFormat, kArtistSourceFile, kArtistSourceLine, kArtistBatchId,
};

enum AlbumColumn : int {
  kAlbumId, kAlbumArtistId, kAlbumName, kAlbumReleaseDate, kAlbumType, kAlbumSourceFormat,
  kAlbumSourceFile, kAlbumSourceLine, kAlbumBatchId,
};

enum EpisodeColumn : int {
  kEpId, kEpEventTs, kEpEventDate, kEpEndTs, kEpUserId, kEpKind, kEpEpisodeId, kEpEpisodeName,
  kEpShowName, kEpAudiobookId, kEpAudiobookTitle, kEpChapterId, kEpChapterTitle, kEpMsPlayed,
  kEpCountry, kEpDevice, kEpPlatform, kEpReasonStart, kEpReasonEnd, kEpShuffle, kEpSkipped,
  kEpOffline, kEpOfflineTs, kEpIncognito, kEpSourceFormat, kEpSourceFile, kEpSourceLine,
  kEpBatchId,
};

enum QuarantineColumn : int {
  kQId, kQTargetTable, kQReason, kQDetail, kQSourceFormat, kQSourceFile, kQLine, kQByteOffset,
  kQRaw, kQRawLength, kQBatchId,
};

// Indexes into AllTables().
enum class Table : int { kPlays, kPageViews, kUsers, kTracks, kArtists, kAlbums, kEpisodes, kQuarantine };
inline constexpr int kTableCount = 8;

const TableSpec& SpecOf(Table table);
// Every silver table, in Table order.
std::span<const TableSpec* const> AllTables();

}  // namespace playlake::sources
