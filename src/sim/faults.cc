#include "sim/faults.h"

#include <algorithm>
#include <cmath>

namespace playlake::sim {
namespace {

constexpr uint64_t kNever = UINT64_MAX / 2;
constexpr const char* kUnknownFields[] = {
    ",\"client_build\":\"8.9.12.345\"",
    ",\"x_experiment\":\"ab-42\"",
    ",\"bitrate_kbps\":320",
    ",\"crossfade_s\":0",
    ",\"ad_id\":null",
    ",\"context\":{\"type\":\"playlist\",\"source\":\"home\"}"};

}  // namespace

FaultInjector::FaultInjector(const FaultRates& rates, uint64_t seed, std::string required_field)
    : rates_(rates), rng_(MixKeys(seed, 0xFA17)), required_field_(std::move(required_field)) {
  next_duplicate_ = Gap(rates_.duplicate);
  next_late_ = Gap(rates_.late);
  next_malformed_ = Gap(rates_.malformed);
  next_unknown_ = Gap(rates_.unknown_field);
  Reschedule();
}

uint64_t FaultInjector::Gap(double rate) {
  if (rate <= 0) return kNever;
  const uint64_t g = rng_.Geometric(rate);
  return g >= kNever ? kNever : line_number_ + 1 + g;
}

void FaultInjector::Reschedule() {
  uint64_t next = std::min({next_duplicate_, next_late_, next_malformed_, next_unknown_});
  if (!duplicates_.empty())
    next = std::min<uint64_t>(next, static_cast<uint64_t>(duplicates_.top().due));
  gap_ = static_cast<int64_t>(std::min<uint64_t>(next - line_number_, kNever));
  until_anything_ = gap_;
  next_late_due_ = late_.empty() ? INT64_MAX : late_.top().due;
}

void FaultInjector::PushSlow(std::string_view line, int64_t ts_ms, OutputParts& out) {
  // This is line gap_ after the last one seen here, unless a late line fell
  // due earlier (then until_anything_ tells how far the fast path got).
  line_number_ += static_cast<uint64_t>(gap_ - std::max<int64_t>(until_anything_, 0));
  // Catch up with the lines that went through the fast path.
  while (!late_.empty() && late_.top().due <= ts_ms) {
    out.Own(late_.top().line);
    late_.pop();
  }
  std::string modified;
  if (line_number_ == next_unknown_) {
    next_unknown_ = Gap(rates_.unknown_field);
    const size_t brace = line.rfind('}');
    if (brace != std::string_view::npos) {
      modified.assign(line.substr(0, brace));
      modified += kUnknownFields[rng_.Below(std::size(kUnknownFields))];
      modified += line.substr(brace);
      line = modified;
      ++counts_.unknown_fields;
    }
  }
  if (line_number_ == next_late_) {
    next_late_ = Gap(rates_.late);
    // Log-uniform between 1 hour and 3 days: mostly hours, sometimes days.
    const double delay_ms = std::exp(rng_.Uniform(std::log(3.6e6), std::log(2.592e8)));
    late_.push({ts_ms + static_cast<int64_t>(delay_ms), order_++, std::string(line)});
    ++counts_.late;
  } else {
    if (modified.empty()) {
      out.Borrow(line);
    } else {
      out.Own(modified);
    }
    if (line_number_ == next_duplicate_) {
      duplicates_.push(
          {static_cast<int64_t>(line_number_ + 1 + rng_.Below(20)), order_++, std::string(line)});
      ++counts_.duplicates;
    }
  }
  if (line_number_ == next_duplicate_) next_duplicate_ = Gap(rates_.duplicate);
  while (!duplicates_.empty() && duplicates_.top().due <= static_cast<int64_t>(line_number_)) {
    out.Own(duplicates_.top().line);
    duplicates_.pop();
  }
  if (line_number_ == next_malformed_) {
    next_malformed_ = Gap(rates_.malformed);
    out.Own(Malformed(line));
    ++counts_.malformed;
  }
  Reschedule();
}

std::string FaultInjector::Malformed(std::string_view line) {
  std::string bad(line.substr(0, line.size() - 1));  // without '\n'
  // A malformed copy must not share the original's event_id.
  static constexpr std::string_view kIdPrefix = "{\"event_id\":\"";
  if (bad.rfind(kIdPrefix, 0) == 0 && bad.size() > kIdPrefix.size() + 32) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (size_t i = 0; i < 32; ++i) bad[kIdPrefix.size() + i] = kHex[rng_.Below(16)];
  }
  switch (rng_.Below(5)) {
    case 0:  // truncated: the writer died mid-line
      bad.resize(10 + rng_.Below(static_cast<uint32_t>(std::max<size_t>(bad.size() - 15, 1))));
      break;
    case 1: {  // invalid UTF-8 inside a string value
      const size_t at = bad.find("\":\"", 16);
      bad.insert(at == std::string::npos ? bad.size() / 2 : at + 3, "\xff\xfe\xc3\x28");
      break;
    }
    case 2: {  // wrong type: the first number becomes a string
      size_t at = bad.find("\":", 0);
      while (at != std::string::npos &&
             !(at + 2 < bad.size() && bad[at + 2] >= '0' && bad[at + 2] <= '9')) {
        at = bad.find("\":", at + 2);
      }
      if (at == std::string::npos) {
        bad.resize(bad.size() / 2);
        break;
      }
      size_t end = at + 2;
      while (end < bad.size() && ((bad[end] >= '0' && bad[end] <= '9') || bad[end] == '.')) ++end;
      bad.replace(at + 2, end - (at + 2), "\"abc\"");
      break;
    }
    case 3: {  // a required field is missing
      const std::string key = "\"" + required_field_ + "\":";
      const size_t at = bad.find(key);
      if (at == std::string::npos) {
        bad.resize(bad.size() / 2);
        break;
      }
      size_t end = bad.find(",\"", at + key.size());
      if (end == std::string::npos) {
        // Last field: drop it with the comma before it.
        const size_t from = at > 0 && bad[at - 1] == ',' ? at - 1 : at;
        bad.erase(from, bad.size() - 1 - from);
      } else {
        bad.erase(at, end + 1 - at);
      }
      break;
    }
    default: {  // binary garbage
      const uint32_t n = 16 + rng_.Below(200);
      bad.clear();
      for (uint32_t i = 0; i < n; ++i) {
        char c = static_cast<char>(rng_.Below(256));
        bad += c == '\n' ? '\x01' : c;
      }
    }
  }
  bad += '\n';
  return bad;
}

void FaultInjector::Finish(OutputParts& out) {
  while (!duplicates_.empty()) {
    out.Own(duplicates_.top().line);
    duplicates_.pop();
  }
  while (!late_.empty()) {
    out.Own(late_.top().line);
    late_.pop();
  }
}

}  // namespace playlake::sim
