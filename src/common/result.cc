#include "common/result.h"

#include <cerrno>
#include <cstring>

namespace playlake {

Error ErrnoError(std::string_view what, int err) {
  std::string message(what);
  message += ": ";
  message += std::strerror(err);
  switch (err) {
    case ENOENT:
      return Error{ErrorCode::kNotFound, std::move(message)};
    case ENOSPC:
    case EDQUOT:
      return DiskFullError(message + " (errno " + std::to_string(err) + ")");
    default:
      return Error{ErrorCode::kIo, std::move(message)};
  }
}

Error DiskFullError(std::string message) {
  message +=
      ": the disk is full; free some space and retry (`playlake vacuum` removes what failed "
      "writes left behind)";
  return Error{ErrorCode::kDiskFull, std::move(message)};
}

int ExitCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 2;
    case ErrorCode::kConfig:
      return 3;
    case ErrorCode::kNotFound:
    case ErrorCode::kIo:
    case ErrorCode::kDiskFull:
      return 4;
    case ErrorCode::kData:
      return 5;
    case ErrorCode::kWarehouse:
      return 6;
    case ErrorCode::kTestFailed:
      return 7;
    case ErrorCode::kInternal:
      return 70;
  }
  return 70;
}

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid argument";
    case ErrorCode::kConfig:
      return "config error";
    case ErrorCode::kNotFound:
      return "not found";
    case ErrorCode::kIo:
      return "I/O error";
    case ErrorCode::kDiskFull:
      return "disk full";
    case ErrorCode::kData:
      return "data error";
    case ErrorCode::kWarehouse:
      return "warehouse error";
    case ErrorCode::kTestFailed:
      return "data test failed";
    case ErrorCode::kInternal:
      return "internal error";
  }
  return "internal error";
}

}  // namespace playlake
