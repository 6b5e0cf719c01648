// SigV4's canonical request, the text both ends of a signed request must build alike:
//
//   METHOD \n canonical path \n canonical query \n canonical headers \n
//   signed header names \n payload hash
//
// Each part has its own function here so tests (and `s3dest sign`) can show every step.
// The request is taken as it goes on the wire: path and query percent-encoded as on the
// request line, header values as sent.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3dest/core/hex.hpp"
#include "s3dest/core/status.hpp"
#include "s3dest/core/text.hpp"
#include "s3dest/http/exchange.hpp"

namespace s3dest::aws {


// What the signer needs of an HTTP request. Host must be among the headers: it is always
// signed.
struct SignableRequest {
  std::string method = "GET";
  std::string path = "/";  // as on the request line: percent-encoded, begins with '/'
  std::string query;       // after '?', without it; "" for none
  std::vector<http::HttpHeader> headers;

  // The value of the first header called `name` (any case), or null.
  const std::string* find_header(std::string_view name) const;
};

// How the path is signed. S3 signs the path exactly as sent; the other services first
// normalise it and then percent-encode it once more (so "%20" is signed as "%2520").
enum class PathRule {
  // As given: "%XX" kept, any other byte outside the unreserved set (A-Z a-z 0-9 - . _ ~)
  // and '/' encoded once; no removal of "." / ".." segments or of "//".
  s3,
  // "." and ".." segments and empty segments ("//") removed (a trailing '/' kept), then
  // every byte outside the unreserved set and '/' encoded, '%' included.
  generic,
};

std::string canonical_path(std::string_view path, PathRule rule);

// One query parameter with name and value in their canonical encoding.
struct QueryParameter {
  std::string name;
  std::string value;
};

// Splits a query on '&' and '='. Names and values are percent-decoded and then encoded
// strictly (every byte outside the unreserved set as %XX, upper-case hex), so "a b" and
// "a%20b" sign alike, and so do "%2f" and "%2F". '+' is a plus sign, not a space,
// as SigV4 reads it. A name without '=' has an empty value; empty pieces ("&&") are dropped.
std::vector<QueryParameter> parse_query(std::string_view query);

// The parameters sorted by name, then value, joined as "name=value&..." ("name=" for an
// empty value).
std::string canonical_query(std::vector<QueryParameter> parameters);

struct CanonicalHeaders {
  std::string block;           // "name:value\n" for each signed header, sorted by name
  std::string signed_headers;  // "host;x-amz-date"
};

// Lower-case names, values trimmed with inner runs of spaces and tabs folded to one space,
// repeated headers joined with ',' in the order given. Headers that proxies and HTTP
// libraries add or rewrite (Connection, Expect, User-Agent, X-Amzn-Trace-Id) are left
// unsigned. Refuses names that are not HTTP tokens and values holding control characters
// (CR and LF would split the request); messages name the header, never its value.
Result<CanonicalHeaders> canonical_headers(const std::vector<http::HttpHeader>& headers);

std::string canonical_request(std::string_view method, std::string_view canonical_path,
                              std::string_view canonical_query, const CanonicalHeaders& headers,
                              std::string_view payload_hash);

// Strict percent-encoding: every byte outside the unreserved set as %XX (upper-case hex).
void append_uri_encoded(std::string& out, std::string_view bytes);
std::string uri_encode(std::string_view bytes);

// "%XX" to the byte it stands for; anything else, a lone '%' included, stays as it is.
std::string percent_decode(std::string_view text);

// Whether a header of this lower-case name is left out of the signature (see above).
bool is_unsigned_header(std::string_view lower_name);

}  // namespace s3dest::aws

namespace s3dest::aws {
namespace detail {

constexpr bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

constexpr int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

inline bool is_percent_escape(std::string_view text, size_t i) {
  return text[i] == '%' && i + 2 < text.size() && hex_digit_value(text[i + 1]) >= 0 &&
         hex_digit_value(text[i + 2]) >= 0;
}

inline void append_percent(std::string& out, unsigned char b) {
  // SigV4 wants upper-case hex here (and lower-case in hashes and signatures).
  out.push_back('%');
  append_hex_digits(out, b, 2, HexCase::upper);
}

// The segments of `path` after removing "." and ".." and empty ones, as "/a/b" (or "/"),
// with the trailing '/' kept when the path ends with one.
inline std::string normalize_path(std::string_view path) {
  std::vector<std::string_view> kept;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!kept.empty()) kept.pop_back();
    } else if (!segment.empty() && segment != ".") {
      kept.push_back(segment);
    }
    start = end + 1;
  }
  std::string out = "/";
  for (size_t i = 0; i < kept.size(); ++i) {
    out.append(kept[i]);
    if (i + 1 < kept.size() || (!path.empty() && path.back() == '/')) out.push_back('/');
  }
  return out;
}

}  // namespace detail

inline const std::string* SignableRequest::find_header(std::string_view name) const {
  return http::find_header(headers, name);
}

inline void append_uri_encoded(std::string& out, std::string_view bytes) {
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    if (detail::is_unreserved(b))
      out.push_back(c);
    else
      detail::append_percent(out, b);
  }
}

inline std::string uri_encode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  append_uri_encoded(out, bytes);
  return out;
}

inline std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (detail::is_percent_escape(text, i)) {
      out.push_back(static_cast<char>(detail::hex_digit_value(text[i + 1]) * 16 + detail::hex_digit_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

inline std::string canonical_path(std::string_view path, PathRule rule) {
  std::string out;
  out.reserve(path.size() + 16);
  if (rule == PathRule::generic) {
    const std::string normalized = detail::normalize_path(path);
    for (const char c : normalized) {
      const auto b = static_cast<unsigned char>(c);
      if (c == '/' || detail::is_unreserved(b))
        out.push_back(c);
      else
        detail::append_percent(out, b);
    }
    return out;
  }
  for (size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    const auto b = static_cast<unsigned char>(c);
    if (c == '/' || detail::is_unreserved(b)) {
      out.push_back(c);
    } else if (detail::is_percent_escape(path, i)) {
      out.append(path.substr(i, 3));  // already encoded: signed as sent
      i += 2;
    } else {
      detail::append_percent(out, b);
    }
  }
  if (out.empty()) out = "/";
  return out;
}

inline std::vector<QueryParameter> parse_query(std::string_view query) {
  std::vector<QueryParameter> out;
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view piece = query.substr(start, end - start);
    if (!piece.empty()) {
      const size_t eq = piece.find('=');
      const std::string_view name = piece.substr(0, eq);
      const std::string_view value = eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1);
      out.push_back({uri_encode(percent_decode(name)), uri_encode(percent_decode(value))});
    }
    start = end + 1;
  }
  return out;
}

inline std::string canonical_query(std::vector<QueryParameter> parameters) {
  std::sort(parameters.begin(), parameters.end(), [](const QueryParameter& a, const QueryParameter& b) {
    return a.name != b.name ? a.name < b.name : a.value < b.value;
  });
  std::string out;
  for (const auto& p : parameters) {
    if (!out.empty()) out.push_back('&');
    out += p.name;
    out.push_back('=');
    out += p.value;
  }
  return out;
}

inline bool is_unsigned_header(std::string_view lower_name) {
  return lower_name == "connection" || lower_name == "expect" || lower_name == "user-agent" ||
         lower_name == "x-amzn-trace-id";
}

inline Result<CanonicalHeaders> canonical_headers(const std::vector<http::HttpHeader>& headers) {
  struct Entry {
    std::string name;
    std::string value;
  };
  std::vector<Entry> entries;
  entries.reserve(headers.size());
  for (const http::HttpHeader& h : headers) {
    if (!http::is_token(h.name))
      return usage_error("header name \"" + h.name + "\" is not a valid HTTP header name (letters, digits and " +
                         "!#$%&'*+-.^_`|~ only)");
    if (!http::is_header_value_text(h.value))
      return usage_error("header " + h.name +
                         " holds a control character (CR, LF or another): a header value is one line of text");
    std::string name = to_lower_ascii(h.name);
    if (is_unsigned_header(name)) continue;
    entries.push_back({std::move(name), http::fold_header_value(h.value)});
  }
  // Stable by name, so repeated headers keep the order they were given in.
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
  CanonicalHeaders out;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0 && entries[i].name == entries[i - 1].name) {
      out.block.back() = ',';  // replaces the previous line's '\n'
    } else {
      if (!out.signed_headers.empty()) out.signed_headers.push_back(';');
      out.signed_headers += entries[i].name;
      out.block += entries[i].name;
      out.block.push_back(':');
    }
    out.block += entries[i].value;
    out.block.push_back('\n');
  }
  return out;
}

inline std::string canonical_request(std::string_view method, std::string_view canonical_path,
                                     std::string_view canonical_query, const CanonicalHeaders& headers,
                                     std::string_view payload_hash) {
  std::string out;
  out.reserve(method.size() + canonical_path.size() + canonical_query.size() + headers.block.size() +
              headers.signed_headers.size() + payload_hash.size() + 8);
  out.append(method).push_back('\n');
  out.append(canonical_path).push_back('\n');
  out.append(canonical_query).push_back('\n');
  out.append(headers.block).push_back('\n');
  out.append(headers.signed_headers).push_back('\n');
  out.append(payload_hash);
  return out;
}

}  // namespace s3dest::aws
