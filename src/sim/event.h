// SimEvent: one simulated event (a play, or an eventsim page view) before it
// is formatted. 32 bytes, no pointers, so millions sort and copy cheaply.
#pragma once

#include <cstdint>

namespace playlake::sim {

// Pages of eventsim/Sparkify logs. kNextSong is a play; the rest are page
// views, generated only for --format eventsim.
enum class Page : uint8_t {
  kNextSong,
  kHome,
  kLogin,
  kLogout,
  kSettings,
  kSaveSettings,
  kHelp,
  kAbout,
  kUpgrade,
  kSubmitUpgrade,
  kDowngrade,
  kSubmitDowngrade,
  kAddToPlaylist,
  kThumbsUp,
  kThumbsDown,
  kRollAdvert,
  kAddFriend,
  kError,
  kCancel,
  kCancellationConfirmation,
  kPageCount
};

enum class Auth : uint8_t { kLoggedIn, kLoggedOut, kCancelled };

// Spotify's reason_start / reason_end vocabularies (docs/event-contract.md).
enum ReasonStart : uint8_t {
  kStartTrackDone,
  kStartClickRow,
  kStartFwdBtn,
  kStartBackBtn,
  kStartPlayBtn,
  kStartAppLoad,
  kStartRemote,
  kStartTrackError,
  kReasonStartCount
};
enum ReasonEnd : uint8_t {
  kEndTrackDone,
  kEndFwdBtn,
  kEndBackBtn,
  kEndEndPlay,
  kEndLogout,
  kEndRemote,
  kEndUnexpectedExit,
  kReasonEndCount
};

enum EventFlag : uint8_t {
  kFlagShuffle = 1,
  kFlagSkipped = 2,
  kFlagOffline = 4,
  kFlagPaid = 8,
};

struct SimEvent {
  int64_t ts_ms;       // UTC
  uint32_t user;       // index into Population::users()
  uint32_t track;      // index into Catalog::tracks(); plays only
  uint32_t ms_played;  // plays only
  uint32_t session;    // session number within the slice that generated it
  uint16_t item;       // position in the session (eventsim itemInSession)
  Page page;
  uint8_t flags;  // EventFlag bits
  uint8_t reason_start;
  uint8_t reason_end;
  uint8_t device;  // index into DevicePlatforms()
  Auth auth;
};
static_assert(sizeof(SimEvent) == 32);

}  // namespace playlake::sim
