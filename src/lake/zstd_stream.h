// Streaming zstd compression into a WritableFile and decompression from a
// ReadableFile; bronze files are stored this way.
//
// Ownership: both borrow the file they wrap, which must outlive them.
// Not thread safe (ZstdWriter may use zstd's own worker threads inside).
#pragma once

#include <memory>
#include <string>

#include "lake/storage.h"

namespace playlake::lake {

class ZstdWriter {
 public:
  // `level`: zstd level (1 is fast and compresses JSON ~5-8x); `workers`:
  // zstd worker threads, 0 compresses on the calling thread.
  ZstdWriter(WritableFile& file, int level, int workers);
  ~ZstdWriter();
  ZstdWriter(const ZstdWriter&) = delete;
  ZstdWriter& operator=(const ZstdWriter&) = delete;
  Status Append(std::string_view bytes);
  // Ends the zstd frame. The file is neither synced nor closed.
  Status Finish();

 private:
  Status Drive(std::string_view bytes, bool end);
  WritableFile& file_;
  void* stream_;  // ZSTD_CCtx
  std::string out_;
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
