#include "serve/event_stream.h"

#include <fmt/format.h>

#include <algorithm>

namespace playlake::serve {

EventStream::EventStream(std::size_t capacity, std::uint64_t last_id)
    : capacity_(std::max<std::size_t>(capacity, 1)), last_id_(last_id) {}

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
  std::uint64_t id = 0;
  std::vector<std::function<void()>> listeners;
  {
    std::lock_guard lock(mutex_);
    id = ++last_id_;
    ring_.push_back(std::make_shared<const std::string>(Format(id, type, data)));
    if (ring_.size() > capacity_) ring_.pop_front();
    listeners = listeners_;
  }
  for (const auto& listener : listeners) listener();
  return id;
}

void EventStream::AddListener(std::function<void()> listener) {
  std::lock_guard lock(mutex_);
  listeners_.push_back(std::move(listener));
}

EventStream::Next EventStream::Get(std::uint64_t id) const {
  std::lock_guard lock(mutex_);
  if (id > last_id_) return {Next::State::kNotYet, nullptr};
  const std::uint64_t oldest = last_id_ + 1 - ring_.size();
  if (id < oldest) return {Next::State::kGone, nullptr};
  return {Next::State::kReady, ring_[id - oldest]};
}

std::uint64_t EventStream::last_id() const {
  std::lock_guard lock(mutex_);
  return last_id_;
}

std::uint64_t EventStream::oldest_id() const {
  std::lock_guard lock(mutex_);
  return last_id_ + 1 - ring_.size();
}

}  // namespace playlake::serve
