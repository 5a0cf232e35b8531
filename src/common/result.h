// Result<T>: the value of an operation that can fail in an expected way.
//
// Expected failures (bad input, missing file, server refused) are values, not
// exceptions. Each Error carries a code that `main` maps to an exit status and
// a message that says what failed, on which input, and what to do about it.
#pragma once

#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>

namespace playlake {

enum class ErrorCode {
  kInvalidArgument,  // a flag or value the user gave is wrong
  kConfig,           // playlake.yml is missing, unreadable or invalid
  kNotFound,         // an input file or object does not exist
  kIo,               // reading or writing failed
  kDiskFull,         // a write failed for lack of space (ENOSPC, EDQUOT): an I/O error
  kData,             // input data is malformed beyond what quarantine handles
  kWarehouse,        // the SQL engine reported an error
  kTestFailed,       // a data test failed
  kInternal,         // a bug: please report it
};

struct Error {
  ErrorCode code;
  std::string message;
};

template <typename T>
using Result = tl::expected<T, Error>;

using Status = Result<void>;

inline tl::unexpected<Error> Fail(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

// The error for a failed system call: `what` (e.g. "cannot write /x/y"), then
// strerror(err). The code is the cause errno names — kNotFound for ENOENT,
// kDiskFull for ENOSPC and EDQUOT (the message then says the disk is full and
// what to do), kIo otherwise — so callers never classify by message text.
Error ErrnoError(std::string_view what, int err);

// A write that failed for lack of space, as kDiskFull: `message` followed by
// what to do about it. For errors met by others (e.g. the warehouse's).
Error DiskFullError(std::string message);

// Returns the exit status a command line tool should use for `code`.
// Documented in docs/cli.md.
int ExitCodeFor(ErrorCode code);

const char* ErrorCodeName(ErrorCode code);

}  // namespace playlake
