// Small, pure checks the server applies to addresses and requests, apart
// from the server so they can be tested on their own.
#pragma once

#include <sys/socket.h>

#include <string>
#include <string_view>

#include "common/result.h"

namespace playlake::serve {

// Where to listen: the first address `host` resolves to (IPv4 preferred).
struct ListenAddress {
  sockaddr_storage address{};
  socklen_t length = 0;
  bool loopback = false;  // every address `host` resolves to is loopback
  bool wildcard = false;  // 0.0.0.0 or ::, every interface
};

// Resolves `host` (a name or a numeric address) for `port`.
// Error{kInvalidArgument} naming the host when it does not resolve.
Result<ListenAddress> ResolveListenAddress(const std::string& host, int port);

// True when `text` is well-formed UTF-8 (RFC 3629: no overlong forms,
// surrogates or code points past U+10FFFF).
bool IsValidUtf8(std::string_view text);

// True when `presented` equals `expected`, in a time that depends only on the
// length of `expected`, so a client cannot find the token byte by byte.
bool SameToken(std::string_view presented, std::string_view expected);

// The lower-cased host of a Host header value, without port or brackets:
// "Example.com:80" -> "example.com", "[::1]:8080" -> "::1".
std::string HostName(std::string_view host_header);

}  // namespace playlake::serve
