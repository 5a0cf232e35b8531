// OutputParts: the bytes of the next write, as a list of views instead of a
// copy. Lines are borrowed from the buffers the workers formatted them in
// (adjacent lines merge into one part), so the only copy of the bulk of the
// output is the kernel's, in writev(2). Lines that must outlive their
// source (faults: held, modified or malformed lines) are owned here.
//
// Borrowed views must stay valid until Clear(). Thread safety: none.
#pragma once

#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace playlake::sim {

class OutputParts {
 public:
  void Borrow(std::string_view bytes) {
    if (bytes.empty()) return;
    bytes_ += bytes.size();
    if (!parts_.empty() && parts_.back().data() + parts_.back().size() == bytes.data()) {
      parts_.back() = std::string_view(parts_.back().data(), parts_.back().size() + bytes.size());
      return;
    }
    parts_.push_back(bytes);
  }
  void Own(std::string bytes) {
    owned_.push_back(std::move(bytes));  // deque: earlier elements never move
    Borrow(owned_.back());
  }
  std::span<const std::string_view> parts() const { return parts_; }
  size_t bytes() const { return bytes_; }
  bool empty() const { return bytes_ == 0; }
  void Clear() {
    parts_.clear();
    owned_.clear();
    bytes_ = 0;
  }

 private:
  std::vector<std::string_view> parts_;
  std::deque<std::string> owned_;
  size_t bytes_ = 0;
};

}  // namespace playlake::sim
