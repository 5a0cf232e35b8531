// ByteBuffer: a growable byte array for building output without per-event
// allocation. Unlike std::string, growing does not zero-fill, and callers
// write through a raw cursor after reserving room for a whole record.
//
// Thread safety: none; one per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

namespace playlake::sim {

class ByteBuffer {
 public:
  ByteBuffer() = default;
  ByteBuffer(ByteBuffer&&) = default;
  ByteBuffer& operator=(ByteBuffer&&) = default;

  // Returns a cursor with room for at least n more bytes; the bytes written
  // there become part of the buffer when Commit(cursor_end) is called.
  char* Reserve(size_t n) {
    if (size_ + n > capacity_) Grow(size_ + n);
    return data_.get() + size_;
  }
  void Commit(const char* end) { size_ = static_cast<size_t>(end - data_.get()); }

  void Append(std::string_view bytes) {
    char* p = Reserve(bytes.size());
    std::memcpy(p, bytes.data(), bytes.size());
    size_ += bytes.size();
  }

  const char* data() const { return data_.get(); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::string_view view() const { return {data_.get(), size_}; }
  void clear() { size_ = 0; }
  // Drops the first n bytes, keeping the rest (used by writers that flush).
  void Consume(size_t n) {
    std::memmove(data_.get(), data_.get() + n, size_ - n);
    size_ -= n;
  }

 private:
  void Grow(size_t need) {
    size_t capacity = capacity_ == 0 ? 4096 : capacity_;
    while (capacity < need) capacity *= 2;
    auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
    if (size_ != 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = capacity;
  }

  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

// Writes v in decimal at p and returns the end.
inline char* WriteUint(char* p, uint64_t v) {
  char tmp[20];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) *p++ = tmp[--n];
  return p;
}

inline char* WriteInt(char* p, int64_t v) {
  if (v < 0) {
    *p++ = '-';
    return WriteUint(p, static_cast<uint64_t>(-(v + 1)) + 1);
  }
  return WriteUint(p, static_cast<uint64_t>(v));
}

// Writes the 16 lower-case hex digits of v.
inline char* WriteHex64(char* p, uint64_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    p[i] = kHex[v & 15];
    v >>= 4;
  }
  return p + 16;
}

// Copies a fragment in 16-byte blocks: inlined fixed-size moves instead of a
// memcpy call per field. REQUIRES: s is followed by >= 15 readable bytes (a
// sealed FragmentArena) and p has room for s.size() + 15 bytes.
inline char* WriteFragment(char* p, std::string_view s) {
  const char* src = s.data();
  for (size_t i = 0; i < s.size(); i += 16) std::memcpy(p + i, src + i, 16);
  return p + s.size();
}

inline char* WriteBytes(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

}  // namespace playlake::sim
