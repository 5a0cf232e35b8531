#include "lake/zstd_stream.h"

#include <fmt/format.h>
#include <zstd.h>

namespace playlake::lake {

ZstdWriter::ZstdWriter(WritableFile& file, int level, int workers)
    : file_(file), stream_(ZSTD_createCCtx()) {
  auto* cctx = static_cast<ZSTD_CCtx*>(stream_);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  if (workers > 0) ZSTD_CCtx_setParameter(cctx, ZSTD_c_nbWorkers, workers);
  out_.resize(ZSTD_CStreamOutSize());
}

ZstdWriter::~ZstdWriter() { ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(stream_)); }

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

Status ZstdWriter::Append(std::string_view bytes) { return Drive(bytes, false); }

Status ZstdWriter::Finish() { return Drive({}, true); }

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
