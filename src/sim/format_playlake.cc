// Playlake NDJSON lines (docs/event-contract.md), field order as documented.
#include <algorithm>

#include "sim/byte_buffer.h"
#include "sim/geo_data.h"
#include "sim/line_format.h"
#include "sim/names.h"

namespace playlake::sim {
namespace {

constexpr const char* kReasonStartNames[kReasonStartCount] = {
    "trackdone", "clickrow", "fwdbtn", "backbtn", "playbtn", "appload", "remote", "trackerror"};
constexpr const char* kReasonEndNames[kReasonEndCount] = {
    "trackdone", "fwdbtn", "backbtn", "endplay", "logout", "remote", "unexpected-exit"};

constexpr int TailIndex(int paid, int reason_start, int reason_end, int shuffle, int skipped,
                        int offline) {
  return ((((paid * kReasonStartCount + reason_start) * kReasonEndCount + reason_end) * 2 +
           shuffle) *
              2 +
          skipped) *
             2 +
         offline;
}
constexpr int kTailCount = TailIndex(1, kReasonStartCount - 1, kReasonEndCount - 1, 1, 1, 1) + 1;

class PlaylakeFormat final : public LineFormat {
 public:
  explicit PlaylakeFormat(const World& world) : seed_(world.options().seed) {
    const auto& catalog = world.catalog();
    for (const Track& t : catalog.tracks()) {
      const Artist& a = catalog.artists()[t.artist];
      const Album& al = catalog.albums()[t.album];
      track_head_.push_back(arena_.Add("\",\"track_id\":\"" + t.id + "\",\"ms_played\":"));
      std::string body = "\",\"artist_id\":\"" + a.id + "\",\"album_id\":\"" + al.id +
                         "\",\"track_name\":" + JsonString(t.name) +
                         ",\"artist_name\":" + JsonString(a.name) +
                         ",\"album_name\":" + JsonString(al.name) +
                         ",\"duration_ms\":" + std::to_string(t.duration_ms) + ",";
      track_body_.push_back(arena_.Add(body));
      longest_ = std::max(longest_, body.size() + 64);
    }
    const auto cities = Cities();
    const auto zones = TimeZones();
    size_t longest_user = 0;
    for (const User& u : world.population().users()) {
      const City& c = cities[u.city];
      user_id_.push_back(arena_.Add(",\"user_id\":\"" + u.id));
      std::string geo =
          "\"country\":\"" + std::string(c.country) + "\",\"region\":" + JsonString(c.region) +
          ",\"city\":" + JsonString(c.name) + ",\"timezone\":\"" + zones[c.zone].name + "\",";
      user_geo_.push_back(arena_.Add(geo));
      longest_user = std::max(longest_user, geo.size() + u.id.size() + 16);
    }
    for (const auto& d : DevicePlatforms()) {
      device_.push_back(arena_.Add("\"device\":\"" + std::string(d.device) + "\",\"platform\":\"" +
                                   d.platform + "\","));
    }
    tails_.resize(kTailCount);
    for (int paid = 0; paid < 2; ++paid)
      for (int rs = 0; rs < kReasonStartCount; ++rs)
        for (int re = 0; re < kReasonEndCount; ++re)
          for (int sh = 0; sh < 2; ++sh)
            for (int sk = 0; sk < 2; ++sk)
              for (int off = 0; off < 2; ++off) {
                auto b = [](int v) { return v ? std::string("true") : std::string("false"); };
                tails_[static_cast<size_t>(TailIndex(paid, rs, re, sh, sk, off))] = arena_.Add(
                    std::string("\"level\":\"") + (paid ? "paid" : "free") +
                    "\",\"reason_start\":\"" + kReasonStartNames[rs] + "\",\"reason_end\":\"" +
                    kReasonEndNames[re] + "\",\"shuffle\":" + b(sh) + ",\"skipped\":" + b(sk) +
                    ",\"offline\":" + b(off) + "}\n");
              }
    arena_.Seal();
    max_line_ = longest_ + longest_user + 400;
  }

  size_t MaxLineBytes() const override { return max_line_; }
  bool page_views() const override { return false; }

  char* Write(const SimEvent& e, uint64_t slice_key, uint32_t position,
              TimestampFormatter& timestamps, char* p) const override {
    static constexpr std::string_view kOpen = "{\"event_id\":\"";
    static constexpr std::string_view kTs = "\",\"ts\":\"";
    static constexpr std::string_view kSession = ",\"session_id\":\"";
    p = WriteBytes(p, kOpen);
    const uint64_t id = EventIdWord(seed_, slice_key, position);
    p = WriteHex64(p, id);
    p = WriteHex64(p, Mix64(id ^ 0x5bd1e995u));
    p = WriteBytes(p, kTs);
    timestamps.Format(e.ts_ms, p);
    p += 24;
    *p++ = '"';
    p = WriteFragment(p, arena_.Get(user_id_[e.user]));
    p = WriteFragment(p, arena_.Get(track_head_[e.track]));
    p = WriteUint(p, e.ms_played);
    p = WriteBytes(p, kSession);
    p = WriteHex64(p, SessionIdWord(seed_, slice_key, e.session));
    p = WriteFragment(p, arena_.Get(track_body_[e.track]));
    p = WriteFragment(p, arena_.Get(user_geo_[e.user]));
    p = WriteFragment(p, arena_.Get(device_[e.device]));
    const int tail = TailIndex((e.flags & kFlagPaid) != 0, e.reason_start, e.reason_end,
                               (e.flags & kFlagShuffle) != 0, (e.flags & kFlagSkipped) != 0,
                               (e.flags & kFlagOffline) != 0);
    return WriteFragment(p, arena_.Get(tails_[static_cast<size_t>(tail)]));
  }

 private:
  uint64_t seed_;
  FragmentArena arena_;
  std::vector<FragmentArena::Ref> track_head_, track_body_, user_id_, user_geo_, device_, tails_;
  size_t longest_ = 0;
  size_t max_line_ = 0;
};

}  // namespace

std::unique_ptr<LineFormat> MakePlaylakeFormat(const World& world) {
  return std::make_unique<PlaylakeFormat>(world);
}

uint64_t EventIdWord(uint64_t seed, uint64_t slice_key, uint32_t position) {
  return Mix64(((slice_key << 28) | position) ^ MixKeys(seed, 0xE1D));
}

uint64_t SessionIdWord(uint64_t seed, uint64_t slice_key, uint32_t session) {
  return Mix64(((slice_key << 28) | session) ^ MixKeys(seed, 0x5E5));
}

}  // namespace playlake::sim
