#include "serve/http_checks.h"

#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>

namespace playlake::serve {
namespace {

bool IsLoopbackAddress(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
  }
  if (address->sa_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr;
    return IN6_IS_ADDR_LOOPBACK(&v6) || (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
  }
  return false;
}

bool IsWildcardAddress(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    return reinterpret_cast<const sockaddr_in*>(address)->sin_addr.s_addr == htonl(INADDR_ANY);
  }
  const auto& v6 = reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr;
  return address->sa_family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&v6);
}

}  // namespace

Result<ListenAddress> ResolveListenAddress(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = host.empty() ? EAI_NONAME : getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (rc != 0) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("host '{}' does not resolve to an address of this machine ({})", host,
                            gai_strerror(rc)));
  }
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> owned(found, freeaddrinfo);
  ListenAddress out;
  out.loopback = true;
  const addrinfo* chosen = nullptr;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    if (a->ai_family != AF_INET && a->ai_family != AF_INET6) continue;
    out.loopback = out.loopback && IsLoopbackAddress(a->ai_addr);
    if (chosen == nullptr || (chosen->ai_family != AF_INET && a->ai_family == AF_INET)) chosen = a;
  }
  if (chosen == nullptr) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("host '{}' resolves to no IPv4 or IPv6 address", host));
  }
  std::memcpy(&out.address, chosen->ai_addr, chosen->ai_addrlen);
  out.length = chosen->ai_addrlen;
  out.wildcard = IsWildcardAddress(chosen->ai_addr);
  const auto port_n = htons(static_cast<std::uint16_t>(port));
  if (chosen->ai_family == AF_INET) {
    reinterpret_cast<sockaddr_in*>(&out.address)->sin_port = port_n;
  } else {
    reinterpret_cast<sockaddr_in6*>(&out.address)->sin6_port = port_n;
  }
  return out;
}

bool IsValidUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    // Continuation bytes after `lead`, and the range of the first one (RFC
    // 3629 table 4: this excludes overlong forms, surrogates, > U+10FFFF).
    std::size_t more = 0;
    unsigned char low = 0x80, high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      more = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      more = 2;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      more = 3;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      return false;
    }
    if (text.size() - i <= more) return false;
    const auto first = static_cast<unsigned char>(text[i + 1]);
    if (first < low || first > high) return false;
    for (std::size_t k = 2; k <= more; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    }
    i += more + 1;
  }
  return true;
}

bool SameToken(std::string_view presented, std::string_view expected) {
  unsigned char difference = presented.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const char given = i < presented.size() ? presented[i] : '\0';
    difference |= static_cast<unsigned char>(given ^ expected[i]);
  }
  return difference == 0 && !expected.empty();
}

std::string HostName(std::string_view host_header) {
  std::string_view host = host_header;
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    host = host.substr(1, close == std::string_view::npos ? host.size() - 1 : close - 1);
  } else if (const auto colon = host.find(':');
             colon != std::string_view::npos &&
             host.find(':', colon + 1) == std::string_view::npos) {
    host = host.substr(0, colon);
  }
  std::string out(host);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace playlake::serve
