#include "serve/event_stream.h"

#include <fmt/format.h>

#include <algorithm>

namespace playlake::serve {

EventStream::EventStream(std::size_t capacity, std::uint64_t last_id)
    : capacity_(std::max<std::size_t>(capacity, 1)), last_id_(last_id), dropped_id_(last_id) {}

std::string EventStream::Format(std::uint64_t id, std::string_view type, std::string_view data) {
  std::string wire;
  wire.reserve(data.size() + type.size() + 48);
  if (id != 0) fmt::format_to(std::back_inserter(wire), "id: {}\n", id);
  if (!type.empty()) {
    wire += "event: ";
    for (const char c : type) wire += (c == '\n' || c == '\r') ? ' ' : c;
    wire += '\n';
  }
  // Every line of the data is a data: line; the client joins them with "\n".
  std::size_t start = 0;
  while (true) {
    const std::size_t end = data.find('\n', start);
    std::string_view line = data.substr(start, end == std::string_view::npos ? end : end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    wire += "data: ";
    wire += line;
    wire += '\n';
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  wire += '\n';
  return wire;
}

std::uint64_t EventStream::Publish(std::string_view type, std::string_view data) {
  return Add(std::nullopt, type, data);
}

bool EventStream::PublishAt(std::uint64_t id, std::string_view type, std::string_view data) {
  return Add(id, type, data) != 0;
}

std::uint64_t EventStream::Add(std::optional<std::uint64_t> id, std::string_view type,
                               std::string_view data) {
  std::vector<std::function<void()>> listeners;
  std::uint64_t at = 0;
  {
    std::lock_guard lock(mutex_);
    at = id.value_or(last_id_ + 1);
    if (at <= last_id_) return 0;
    last_id_ = at;
    ring_.push_back({at, std::make_shared<const std::string>(Format(at, type, data))});
    if (ring_.size() > capacity_) {
      dropped_id_ = ring_.front().id;
      ring_.pop_front();
    }
    listeners = listeners_;
  }
  for (const auto& listener : listeners) listener();
  return at;
}

void EventStream::AddListener(std::function<void()> listener) {
  std::lock_guard lock(mutex_);
  listeners_.push_back(std::move(listener));
}

EventStream::Next EventStream::After(std::uint64_t seen) const {
  std::lock_guard lock(mutex_);
  if (seen < dropped_id_) return {Next::State::kGone, 0, nullptr};
  const auto next =
      std::upper_bound(ring_.begin(), ring_.end(), seen,
                       [](std::uint64_t id, const Kept& kept) { return id < kept.id; });
  if (next == ring_.end()) return {Next::State::kNotYet, 0, nullptr};
  return {Next::State::kReady, next->id, next->wire};
}

std::uint64_t EventStream::last_id() const {
  std::lock_guard lock(mutex_);
  return last_id_;
}

bool EventStream::Missed(std::uint64_t seen) const {
  std::lock_guard lock(mutex_);
  return seen < dropped_id_;
}

}  // namespace playlake::serve
