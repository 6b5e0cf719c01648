// One HTTP request and its response, and the interface that sends one. Everything above
// this layer (the AWS signer, STS, the credential providers, the S3 client) talks HTTP
// only through HttpSender, so it can be used with any HTTP client and tested against a
// fake; http/curl_transport.hpp is the real one.
//
//   http::HttpRequest request{"POST", "https://sts.us-east-1.amazonaws.com/", headers, body};
//   auto response = sender.send(request);
//   if (!response.ok()) return response.status();   // no answer: network, TLS, timeout
//   if (response->status != 200) ...                 // an answer, maybe an error document
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "s3dest/core/status.hpp"
#include "s3dest/core/stop_flag.hpp"
#include "s3dest/core/text.hpp"

namespace s3dest::http {

struct HttpHeader {
  std::string name;
  std::string value;
};

// A body read from where it lies (a file) as it is sent, a piece at a time, so that it is
// never held whole: read(offset, out, n) fills `out` with the n bytes at `offset` and
// says whether it could. A retried request reads it again from its start.
struct BodyReader {
  uint64_t size = 0;
  std::function<bool(uint64_t offset, char* out, size_t n)> read;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // "https://host[:port]/path?query", percent-encoded as it goes on the wire
  std::vector<HttpHeader> headers;
  std::string body;
  // Set instead of `body`: bytes the caller keeps alive until send() returns, so a part of
  // many megabytes goes out without being copied. payload() is what is sent.
  std::string_view borrowed_body;
  // Set instead of both: the body is read as it goes out (senders that cannot stream it
  // read it whole first). Must stay alive until send() returns.
  const BodyReader* body_reader = nullptr;
  // The longest the whole exchange may take; zero: the sender's default.
  std::chrono::milliseconds timeout{0};
  // When given and raised, the sender abandons the exchange at once, even mid-transfer,
  // and fails with an `interrupted` Status (never retried).
  const StopFlag* stop = nullptr;

  const std::string* find_header(std::string_view name) const;
  std::string_view payload() const { return borrowed_body.data() != nullptr ? borrowed_body : body; }
};

struct HttpResponse {
  int status = 0;
  std::vector<HttpHeader> headers;  // as received, names in the server's case
  std::string body;

  const std::string* find_header(std::string_view name) const;
};

// Sends a request and returns the server's response, whatever its status; fails only when
// there is no response (connection refused, TLS failure, timeout): a destination error
// whose message names the host and never the query (it may hold a presigned signature);
// or an `interrupted` error when the request's stop flag was raised.
// Implementations may be called from many threads at once.
class HttpSender {
 public:
  virtual ~HttpSender() = default;
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};

// The value of the first header called `name` (any case), or null.
const std::string* find_header(const std::vector<HttpHeader>& headers, std::string_view name);

// "scheme://authority/path" of a URL: what a message may show of it.
std::string url_without_query(std::string_view url);

// RFC 7230's grammar, which header names and methods must keep to (core/text.hpp's
// is_http_token, which the layers below http/ use too).
bool is_token(std::string_view text);
// A header value is one line of text: a control character (but tab) would end or split it.
bool is_header_value_text(std::string_view value);
// Header names compare without regard to ASCII case.
bool equals_ignoring_case(std::string_view a, std::string_view b);
// A header value with spaces and tabs trimmed and inner runs of them folded to one space
// (quotes kept: SigV4 folds inside quoted strings too).
std::string fold_header_value(std::string_view value);

}  // namespace s3dest::http

namespace s3dest::http {

inline const std::string* find_header(const std::vector<HttpHeader>& headers, std::string_view name) {
  for (const HttpHeader& h : headers)
    if (equals_ignoring_case(h.name, name)) return &h.value;
  return nullptr;
}

inline const std::string* HttpRequest::find_header(std::string_view name) const {
  return http::find_header(headers, name);
}

inline const std::string* HttpResponse::find_header(std::string_view name) const {
  return http::find_header(headers, name);
}

inline std::string url_without_query(std::string_view url) {
  const size_t end = url.find_first_of("?#");
  std::string_view kept = url.substr(0, end);
  // User info ("user:password@host") is a secret too.
  if (const size_t scheme = kept.find("://"); scheme != std::string_view::npos) {
    const size_t host = scheme + 3;
    const size_t path = kept.find('/', host);
    const size_t at = kept.substr(0, path).rfind('@');
    if (at != std::string_view::npos && at >= host)
      return std::string(kept.substr(0, host)) + std::string(kept.substr(at + 1));
  }
  return std::string(kept);
}

inline bool is_token(std::string_view text) { return is_http_token(text); }

inline bool is_header_value_text(std::string_view value) {
  for (const char c : value)
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F) return false;
  return true;
}

inline bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

inline std::string fold_header_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (const char c : value) {
    if (c == ' ' || c == '\t') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace s3dest::http
