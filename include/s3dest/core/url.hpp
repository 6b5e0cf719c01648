// An http(s) URL split into the parts a request is made of. Only splits: the path and
// query stay in the percent-encoded form they have on the request line.
#pragma once

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <string>
#include <string_view>

#include "s3dest/core/status.hpp"

namespace s3dest {

struct UrlParts {
  std::string scheme;     // "http" or "https", lower-case
  std::string authority;  // host[:port] as written, without user info
  std::string path;       // "/" when the URL has none
  std::string query;      // after '?', without it; the fragment is dropped
  // The Host header a client sends: the authority without the scheme's default port.
  std::string host_header() const;
  // The host alone: no port, an IPv6 literal without its brackets ("::1").
  std::string host() const;
};

// Whether `host` is an IPv4 or IPv6 address written out, not a name.
bool is_ip_address(std::string_view host);

// Whether every address `host` stands for is this machine's (127.0.0.0/8, ::1): an IP
// address is read as one, a name is resolved (and a name that does not resolve is not).
// What may be sent credentials over plain http; "127.attacker.example.com" is a name.
bool is_loopback_host(std::string_view host);

// Refuses what is not "http://" or "https://" followed by a host, and URLs holding
// whitespace or control characters (they cannot go on a request line as they are).
Result<UrlParts> split_url(std::string_view url);

}  // namespace s3dest

namespace s3dest {

inline std::string UrlParts::host_header() const {
  const std::string_view default_port = scheme == "https" ? ":443" : ":80";
  const std::string_view a = authority;
  // An IPv6 literal ends with ']', so only a real port matches ("[::1]:443", not "[::443]").
  if (a.size() > default_port.size() && a.substr(a.size() - default_port.size()) == default_port)
    return std::string(a.substr(0, a.size() - default_port.size()));
  return authority;
}

inline std::string UrlParts::host() const {
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    return authority.substr(1, close == std::string::npos ? std::string::npos : close - 1);
  }
  return authority.substr(0, authority.rfind(':'));
}

inline bool is_ip_address(std::string_view host) {
  const std::string text(host);
  unsigned char address[16];
  return ::inet_pton(AF_INET, text.c_str(), address) == 1 || ::inet_pton(AF_INET6, text.c_str(), address) == 1;
}

namespace detail {

inline bool is_loopback_address(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
  }
  if (address->sa_family == AF_INET6) {
    const in6_addr& v6 = reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr;
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;  // ::ffff:127.x.y.z
  }
  return false;
}

}  // namespace detail

inline bool is_loopback_host(std::string_view host) {
  const std::string name(host);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(name.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) return false;
  bool all_loopback = true;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next)
    all_loopback = all_loopback && detail::is_loopback_address(a->ai_addr);
  ::freeaddrinfo(found);
  return all_loopback;
}

inline Result<UrlParts> split_url(std::string_view url) {
  for (const char c : url) {
    const auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b == 0x7F)
      return usage_error("the URL holds a space or a control character: percent-encode it (a space is %20)");
  }
  UrlParts parts;
  const size_t colon = url.find("://");
  if (colon == std::string_view::npos)
    return usage_error("the URL needs a scheme, as in https://bucket.s3.us-east-1.amazonaws.com/key");
  for (const char c : url.substr(0, colon)) parts.scheme.push_back(static_cast<char>(c | 0x20));
  if (parts.scheme != "http" && parts.scheme != "https")
    return usage_error("the URL's scheme is \"" + std::string(url.substr(0, colon)) + "\": use http:// or https://");
  std::string_view rest = url.substr(colon + 3);
  if (const size_t hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  // User info ("user:password@") is never sent in a Host header.
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) authority = authority.substr(at + 1);
  if (authority.empty() || authority.front() == ':')
    return usage_error("the URL has no host, as in https://bucket.s3.us-east-1.amazonaws.com/key");
  parts.authority = std::string(authority);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  const size_t question = rest.find('?');
  parts.path = std::string(rest.substr(0, question));
  if (parts.path.empty()) parts.path = "/";
  if (question != std::string_view::npos) parts.query = std::string(rest.substr(question + 1));
  return parts;
}

}  // namespace s3dest
