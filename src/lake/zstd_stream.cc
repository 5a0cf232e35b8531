#include "lake/zstd_stream.h"

#include <fmt/format.h>
#include <zstd.h>

#include <cstring>

namespace playlake::lake {

ZstdWriter::ZstdWriter(WritableFile& file, int level, int workers, std::size_t max_buffered)
    : file_(file), stream_(ZSTD_createCCtx()), max_buffered_(max_buffered) {
  auto* cctx = static_cast<ZSTD_CCtx*>(stream_);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  if (workers > 1) ZSTD_CCtx_setParameter(cctx, ZSTD_c_nbWorkers, workers - 1);
  out_.resize(ZSTD_CStreamOutSize());
  if (workers > 0) thread_ = std::thread([this] { Loop(); });
}

ZstdWriter::~ZstdWriter() {
  if (thread_.joinable()) {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(stream_));
}

Status ZstdWriter::Drive(std::string_view bytes, bool end) {
  auto* cctx = static_cast<ZSTD_CCtx*>(stream_);
  ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
  const ZSTD_EndDirective mode = end ? ZSTD_e_end : ZSTD_e_continue;
  while (true) {
    ZSTD_outBuffer out{out_.data(), out_.size(), 0};
    const std::size_t left = ZSTD_compressStream2(cctx, &out, &in, mode);
    if (ZSTD_isError(left)) {
      return Fail(ErrorCode::kInternal, fmt::format("zstd: {}", ZSTD_getErrorName(left)));
    }
    if (out.pos > 0) {
      if (auto s = file_.Append(std::string_view(out_.data(), out.pos)); !s) return s;
    }
    if (end ? left == 0 : in.pos == in.size) return {};
  }
}

void ZstdWriter::Loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [&] { return stopping_ || !queue_.empty() || finishing_; });
    if (stopping_) return;
    if (queue_.empty()) {  // finishing_, and every byte is compressed
      lock.unlock();
      Status s = Drive({}, true);
      lock.lock();
      if (!s && status_) status_ = s;
      finished_ = true;
      changed_.notify_all();
      return;
    }
    std::string chunk = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    Status s = Drive(chunk, false);
    lock.lock();
    queued_bytes_ -= chunk.size();
    spare_.push_back(std::move(chunk));
    if (!s) {
      status_ = s;
      finished_ = true;
      changed_.notify_all();
      return;
    }
    changed_.notify_all();
  }
}

Status ZstdWriter::Append(std::string_view bytes) {
  if (!thread_.joinable()) return Drive(bytes, false);
  if (bytes.empty()) return {};
  std::string chunk = Buffer(bytes.size());
  std::memcpy(chunk.data(), bytes.data(), bytes.size());
  return AppendOwned(std::move(chunk));
}

std::string ZstdWriter::Buffer(std::size_t size) {
  std::string buffer;
  if (thread_.joinable()) {
    std::lock_guard lock(mutex_);
    if (!spare_.empty()) {
      buffer = std::move(spare_.back());
      spare_.pop_back();
    }
  }
  buffer.resize(size);  // a no-op for a reused buffer of the same size
  return buffer;
}

Status ZstdWriter::AppendOwned(std::string bytes) {
  if (!thread_.joinable()) return Drive(bytes, false);
  if (bytes.empty()) return {};
  std::unique_lock lock(mutex_);
  // Wait for room, unless nothing is queued (a chunk larger than the limit).
  changed_.wait(lock, [&] {
    return finished_ || queue_.empty() || queued_bytes_ + bytes.size() <= max_buffered_;
  });
  if (!status_) return status_;
  queued_bytes_ += bytes.size();
  queue_.push_back(std::move(bytes));
  lock.unlock();
  changed_.notify_all();
  return {};
}

Status ZstdWriter::Finish() {
  if (!thread_.joinable()) return Drive({}, true);
  {
    std::unique_lock lock(mutex_);
    finishing_ = true;
    changed_.notify_all();
    changed_.wait(lock, [&] { return finished_; });
  }
  thread_.join();
  return status_;
}

ZstdReader::ZstdReader(std::unique_ptr<ReadableFile> file)
    : file_(std::move(file)), stream_(ZSTD_createDCtx()) {
  in_.resize(ZSTD_DStreamInSize());
  in_pos_ = in_.size();
  in_.resize(0);
}

ZstdReader::~ZstdReader() { ZSTD_freeDCtx(static_cast<ZSTD_DCtx*>(stream_)); }

Result<std::size_t> ZstdReader::Read(char* buffer, std::size_t n) {
  auto* dctx = static_cast<ZSTD_DCtx*>(stream_);
  ZSTD_outBuffer out{buffer, n, 0};
  while (out.pos == 0) {
    if (in_pos_ >= in_.size()) {
      if (eof_) return std::size_t{0};
      in_.resize(ZSTD_DStreamInSize());
      auto got = file_->Read(in_.data(), in_.size());
      if (!got) return tl::unexpected(got.error());
      in_.resize(*got);
      in_pos_ = 0;
      if (*got == 0) {
        eof_ = true;
        return std::size_t{0};
      }
    }
    ZSTD_inBuffer in{in_.data(), in_.size(), in_pos_};
    const std::size_t rc = ZSTD_decompressStream(dctx, &out, &in);
    in_pos_ = in.pos;
    if (ZSTD_isError(rc)) {
      return Fail(ErrorCode::kData,
                  fmt::format("corrupt zstd data in a bronze file: {}", ZSTD_getErrorName(rc)));
    }
  }
  return out.pos;
}

}  // namespace playlake::lake
