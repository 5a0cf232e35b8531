// Streaming zstd compression into a WritableFile and decompression from a
// ReadableFile; bronze files are stored this way.
//
// Ownership: both borrow the file they wrap, which must outlive them.
// Thread safety: none for callers (one thread uses a ZstdWriter); a
// ZstdWriter may compress on its own background thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lake/storage.h"

namespace playlake::lake {

class ZstdWriter {
 public:
  // `level`: zstd level (1 is fast and compresses JSON ~5-8x; negative levels
  // are faster still and compress less). `workers`: 0 compresses on the
  // calling thread inside Append; N >= 1 compresses on one background thread
  // (plus N - 1 zstd worker threads), so Append only copies the bytes into a
  // queue of at most `max_buffered` bytes and returns — the caller keeps
  // working while the data is compressed.
  // REQUIRES: the file is not used by anyone else until Finish returns.
  ZstdWriter(WritableFile& file, int level, int workers, std::size_t max_buffered = 32 << 20);
  // Stops compressing; whatever was not finished is abandoned.
  ~ZstdWriter();
  ZstdWriter(const ZstdWriter&) = delete;
  ZstdWriter& operator=(const ZstdWriter&) = delete;
  // Errors of the background thread (compression, writing the file) are
  // returned by the next Append or by Finish.
  Status Append(std::string_view bytes);
  // Like Append, but takes the buffer instead of copying it (use Buffer to
  // get one that was compressed already, so that memory is reused).
  Status AppendOwned(std::string bytes);
  // A buffer of `size` bytes (contents unspecified) to fill and AppendOwned.
  std::string Buffer(std::size_t size);
  // Ends the zstd frame once every appended byte is compressed. The file is
  // neither synced nor closed.
  Status Finish();

 private:
  Status Drive(std::string_view bytes, bool end);
  void Loop();

  WritableFile& file_;
  void* stream_;  // ZSTD_CCtx
  std::string out_;

  // Background compression (workers >= 1).
  std::size_t max_buffered_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> queue_;  // appended, not yet compressed
  std::size_t queued_bytes_ = 0;
  std::vector<std::string> spare_;  // compressed buffers, for reuse
  bool finishing_ = false;         // Finish was called: end the frame when drained
  bool finished_ = false;          // the frame is ended (or an error stopped us)
  bool stopping_ = false;          // destructor: abandon the rest
  Status status_;                  // first error of the background thread
  std::thread thread_;
};

// Decompresses a zstd stream (any number of frames) read from `file`.
class ZstdReader final : public ReadableFile {
 public:
  explicit ZstdReader(std::unique_ptr<ReadableFile> file);
  ~ZstdReader() override;
  Result<std::size_t> Read(char* buffer, std::size_t n) override;

 private:
  std::unique_ptr<ReadableFile> file_;
  void* stream_;  // ZSTD_DCtx
  std::string in_;
  std::size_t in_pos_ = 0;
  bool eof_ = false;
};

}  // namespace playlake::lake
