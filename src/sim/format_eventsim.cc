// eventsim / Sparkify log lines: the field names, key order (alphabetical),
// JSON types and null patterns of realdata/sparkify/log_data, which a parity
// test checks page by page.
#include <algorithm>

#include "sim/byte_buffer.h"
#include "sim/geo_data.h"
#include "sim/line_format.h"
#include "sim/names.h"

namespace playlake::sim {

std::unique_ptr<LineFormat> MakePlaylakeFormat(const World& world);

namespace {

struct PageInfo {
  const char* name;
  const char* method;
  int status;
};

// Indexed by Page. Methods and statuses as eventsim's configuration has them.
constexpr PageInfo kPages[] = {
    {"NextSong", "PUT", 200},
    {"Home", "GET", 200},
    {"Login", "PUT", 307},
    {"Logout", "PUT", 307},
    {"Settings", "GET", 200},
    {"Save Settings", "PUT", 307},
    {"Help", "GET", 200},
    {"About", "GET", 200},
    {"Upgrade", "GET", 200},
    {"Submit Upgrade", "PUT", 307},
    {"Downgrade", "GET", 200},
    {"Submit Downgrade", "PUT", 307},
    {"Add to Playlist", "PUT", 200},
    {"Thumbs Up", "PUT", 307},
    {"Thumbs Down", "PUT", 307},
    {"Roll Advert", "GET", 200},
    {"Add Friend", "PUT", 307},
    {"Error", "GET", 404},
    {"Cancel", "PUT", 307},
    {"Cancellation Confirmation", "GET", 200},
};
static_assert(sizeof(kPages) / sizeof(kPages[0]) == static_cast<size_t>(Page::kPageCount));

constexpr const char* kAuthNames[] = {"Logged In", "Logged Out", "Cancelled"};

// Seconds as Python's float repr would print a millisecond count: "182.856", "240.0".
std::string SecondsText(uint32_t ms) {
  std::string s = std::to_string(ms / 1000) + ".";
  uint32_t frac = ms % 1000;
  if (frac == 0) return s + "0";
  std::string digits = {static_cast<char>('0' + frac / 100),
                        static_cast<char>('0' + frac / 10 % 10),
                        static_cast<char>('0' + frac % 10)};
  while (digits.back() == '0') digits.pop_back();
  return s + digits;
}

class EventsimFormat final : public LineFormat {
 public:
  explicit EventsimFormat(const World& world) {
    const auto& catalog = world.catalog();
    for (const Track& t : catalog.tracks()) {
      const Artist& a = catalog.artists()[t.artist];
      track_artist_.push_back(
          arena_.Add("{\"artist\":" + JsonString(a.name, true) + ",\"auth\":\""));
      track_length_.push_back(arena_.Add(SecondsText(t.duration_ms)));
      track_song_.push_back(arena_.Add(JsonString(t.name, true)));
      longest_track_ = std::max(longest_track_, a.name.size() * 2 + t.name.size() * 2 + 64);
    }
    page_artist_ = arena_.Add("{\"artist\":null,\"auth\":\"");
    for (const char* auth : kAuthNames)
      auth_.push_back(arena_.Add(std::string(auth) + "\",\"firstName\":"));
    const auto cities = Cities();
    const auto agents = UserAgents();
    for (const User& u : world.population().users()) {
      const City& c = cities[u.city];
      first_.push_back(arena_.Add(JsonString(u.first_name, true) + ",\"gender\":\"" + u.gender +
                                  "\",\"itemInSession\":"));
      last_.push_back(
          arena_.Add(",\"lastName\":" + JsonString(u.last_name, true) + ",\"length\":"));
      location_.push_back(arena_.Add(JsonString(std::string(c.name) + ", " + c.region, true)));
      registration_.push_back(arena_.Add(std::to_string(u.registration_ms) + ".0"));
      user_id_.push_back(arena_.Add(u.id));
    }
    for (const auto& d : DevicePlatforms())
      agent_.push_back(arena_.Add(JsonString(agents[d.user_agent], true)));
    for (const PageInfo& p : kPages) {
      page_.push_back(arena_.Add(std::string(",\"method\":\"") + p.method + "\",\"page\":\"" +
                                 p.name + "\",\"registration\":"));
      status_.push_back(arena_.Add(",\"status\":" + std::to_string(p.status) + ",\"ts\":"));
    }
    arena_.Seal();
  }

  size_t MaxLineBytes() const override { return longest_track_ + 1024; }
  bool page_views() const override { return true; }

  char* Write(const SimEvent& e, uint64_t slice_key, uint32_t /*position*/,
              TimestampFormatter& /*timestamps*/, char* p) const override {
    const bool play = e.page == Page::kNextSong;
    // Logged-out page views carry no user details, and userId "".
    const bool anonymous = e.auth == Auth::kLoggedOut;
    const auto page = static_cast<size_t>(e.page);
    p = WriteFragment(p, arena_.Get(play ? track_artist_[e.track] : page_artist_));
    p = WriteFragment(p, arena_.Get(auth_[static_cast<size_t>(e.auth)]));
    p = anonymous ? WriteBytes(p, "null,\"gender\":null,\"itemInSession\":")
                  : WriteFragment(p, arena_.Get(first_[e.user]));
    p = WriteUint(p, e.item);
    p = anonymous ? WriteBytes(p, ",\"lastName\":null,\"length\":")
                  : WriteFragment(p, arena_.Get(last_[e.user]));
    p = play ? WriteFragment(p, arena_.Get(track_length_[e.track])) : WriteBytes(p, "null");
    p = WriteBytes(p, (e.flags & kFlagPaid) ? ",\"level\":\"paid\",\"location\":"
                                            : ",\"level\":\"free\",\"location\":");
    p = anonymous ? WriteBytes(p, "null") : WriteFragment(p, arena_.Get(location_[e.user]));
    p = WriteFragment(p, arena_.Get(page_[page]));
    p = anonymous ? WriteBytes(p, "null") : WriteFragment(p, arena_.Get(registration_[e.user]));
    p = WriteBytes(p, ",\"sessionId\":");
    p = WriteUint(p, (slice_key << 24) | e.session);
    p = WriteBytes(p, ",\"song\":");
    p = play ? WriteFragment(p, arena_.Get(track_song_[e.track])) : WriteBytes(p, "null");
    p = WriteFragment(p, arena_.Get(status_[page]));
    p = WriteInt(p, e.ts_ms);
    p = WriteBytes(p, ",\"userAgent\":");
    p = anonymous ? WriteBytes(p, "null") : WriteFragment(p, arena_.Get(agent_[e.device]));
    p = WriteBytes(p, ",\"userId\":\"");
    if (!anonymous) p = WriteFragment(p, arena_.Get(user_id_[e.user]));
    return WriteBytes(p, "\"}\n");
  }

 private:
  FragmentArena arena_;
  std::vector<FragmentArena::Ref> track_artist_, track_length_, track_song_, auth_, first_, last_,
      location_, registration_, user_id_, agent_, page_, status_;
  FragmentArena::Ref page_artist_{};
  size_t longest_track_ = 0;
};

}  // namespace

std::unique_ptr<LineFormat> MakeLineFormat(OutputFormat format, const World& world) {
  if (format == OutputFormat::kEventsim) return std::make_unique<EventsimFormat>(world);
  return MakePlaylakeFormat(world);
}

}  // namespace playlake::sim
