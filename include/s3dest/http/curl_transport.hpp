// The libcurl transport: http::HttpSender over HTTP/1.1, with TLS always verified.
//
//   http::CurlTransport transport;            // one per process is plenty; share it
//   auto response = transport.send({"GET", "https://example.com/", {}, ""});
//
// Connections are reused: each request borrows an easy handle from a small pool and gives
// it back, and an easy handle keeps its connections (and TLS sessions) open between
// requests, so a thread sending one request after another reuses one connection. Threads
// sending at once get a handle each.
//
// TLS: the peer's certificate and host name are always verified; there is no switch to
// turn that off. The trusted CAs are the system's, or the PEM file named by
// CurlOptions::ca_bundle, or else by AWS_CA_BUNDLE (as the AWS CLI reads it). Redirects are
// not followed and only http and https are spoken.
#pragma once

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "s3dest/core/status.hpp"
#include "s3dest/http/exchange.hpp"
#include "s3dest/version.hpp"

namespace s3dest::http {

namespace detail {
struct Exchange;
}  // namespace detail

struct CurlOptions {
  // Connecting (TCP and TLS handshake) may take this long.
  std::chrono::milliseconds connect_timeout{10000};
  // The whole exchange, for requests that set no timeout of their own; zero: no limit (a
  // stalled transfer is still abandoned, see below).
  std::chrono::milliseconds timeout{0};
  // A transfer moving fewer than low_speed_bytes per second for low_speed_time is
  // abandoned as stalled.
  long low_speed_bytes = 1;
  std::chrono::seconds low_speed_time{60};
  // A PEM file of the CAs to trust instead of the system's; empty: AWS_CA_BUNDLE if set.
  std::string ca_bundle;
  // A response body longer than this is refused rather than held in memory.
  size_t max_response_bytes = 64u << 20;
  // Easy handles (each with its open connections) kept for reuse.
  size_t max_idle_handles = 16;
  std::string user_agent = std::string("s3dest/") + S3DEST_VERSION_STRING;
};

class CurlTransport final : public HttpSender {
 public:
  explicit CurlTransport(CurlOptions options = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<HttpResponse> send(const HttpRequest& request) override;

  // How many connections were opened so far (each reused one counts once): for tests.
  uint64_t connections_opened() const { return connections_opened_.load(); }

 private:
  CURL* take_handle();
  void give_back(CURL* handle);
  // The steps of send(): a handle set up for the request, the transfer's end.
  void set_transfer_options(CURL* curl, const HttpRequest& request, curl_slist* headers,
                            detail::Exchange& exchange) const;
  long finish_transfer(CURL* curl);

  CurlOptions options_;
  std::mutex mutex_;
  std::vector<CURL*> idle_;
  std::atomic<uint64_t> connections_opened_{0};
};

}  // namespace s3dest::http

namespace s3dest::http {
namespace detail {

// curl_global_init is not safe to race with other threads' use of libcurl: done once,
// before the first handle, and never undone (libcurl may be shared with the program).
inline bool curl_initialized() {
  static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ok;
}

// What one send() shares with libcurl's callbacks while the transfer runs.
struct Exchange {
  HttpResponse response;
  size_t max_body = 0;
  bool too_long = false;
  const StopFlag* stop = nullptr;
  const BodyReader* body = nullptr;  // a body read as it is sent
  uint64_t body_offset = 0;          // the next byte of it to send
  bool body_unreadable = false;
  char error_text[CURL_ERROR_SIZE] = {};  // libcurl's own words for a failure
};

// Called by libcurl for the next piece of a BodyReader's body: read straight into
// libcurl's own buffer, so no part is ever held whole.
inline size_t on_read_body(char* out, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const uint64_t left = exchange->body->size - exchange->body_offset;
  const size_t n = static_cast<size_t>(std::min<uint64_t>(left, size * count));
  if (n == 0) return 0;
  if (!exchange->body->read(exchange->body_offset, out, n)) {
    exchange->body_unreadable = true;
    return CURL_READFUNC_ABORT;
  }
  exchange->body_offset += n;
  return n;
}

// libcurl rewinds a body it must send again on the same handle.
inline int on_seek_body(void* user, curl_off_t offset, int origin) {
  auto* exchange = static_cast<Exchange*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<uint64_t>(offset) > exchange->body->size)
    return CURL_SEEKFUNC_CANTSEEK;
  exchange->body_offset = static_cast<uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

// Called by libcurl while a transfer runs (at least once a second, even when no byte
// moves): a raised stop flag abandons it.
inline int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return stop_requested(static_cast<Exchange*>(user)->stop) ? 1 : 0;
}

inline size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const size_t n = size * count;
  if (exchange->response.body.size() + n > exchange->max_body) {
    exchange->too_long = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  exchange->response.body.append(data, n);
  return n;
}

inline size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  auto& headers = exchange->response.headers;
  if (line.rfind("HTTP/", 0) == 0) {
    headers.clear();  // a new response (after 100 Continue): only the last one's headers count
  } else if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
    if (!headers.empty()) {
      headers.back().value.push_back(' ');
      headers.back().value += fold_header_value(line);
    }
  } else if (const size_t colon = line.find(':'); colon != std::string_view::npos) {
    headers.push_back({std::string(line.substr(0, colon)), fold_header_value(line.substr(colon + 1))});
  }
  return n;
}

struct HeaderList {
  curl_slist* list = nullptr;
  ~HeaderList() { curl_slist_free_all(list); }
  bool add(const std::string& line) {
    curl_slist* next = curl_slist_append(list, line.c_str());
    if (next == nullptr) return false;
    list = next;
    return true;
  }
};

inline std::string curl_failure_hint(CURLcode code) {
  switch (code) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return ": the server's TLS certificate is not trusted; if a private CA signed it, point AWS_CA_BUNDLE at "
             "that CA's PEM file";
    case CURLE_OPERATION_TIMEDOUT:
      return ": no answer in time (or no byte moved for idle_timeout_seconds); check the endpoint and the "
             "network, or try again";
    case CURLE_COULDNT_RESOLVE_HOST:
      return ": check the endpoint's host name";
    case CURLE_COULDNT_CONNECT:
      return ": check the endpoint and that the server is running";
    default:
      return "";
  }
}

// Refuses a request libcurl would send other than as asked: a method that is no token, a
// URL of another scheme.
inline Status check_request_line(const HttpRequest& request) {
  if (!is_token(request.method))
    return usage_error("the HTTP method \"" + request.method + "\" is not a method name");
  if (request.url.rfind("http://", 0) != 0 && request.url.rfind("https://", 0) != 0)
    return usage_error("cannot send to \"" + url_without_query(request.url) +
                       "\": only http:// and https:// URLs are supported");
  return {};
}

// The request's headers as libcurl takes them, and the blanks that keep libcurl from adding
// its own.
inline Status build_header_list(const std::vector<HttpHeader>& headers, HeaderList& list) {
  bool has_content_type = false;
  for (const HttpHeader& h : headers) {
    if (!is_token(h.name))
      return usage_error("header name \"" + h.name + "\" is not a valid HTTP header name");
    if (!is_header_value_text(h.value))
      return usage_error("header " + h.name + " holds a control character: a header value is one line of text");
    has_content_type = has_content_type || equals_ignoring_case(h.name, "content-type");
    // libcurl reads "Name:" as "remove this header" and "Name;" as "send it empty".
    if (!list.add(h.value.empty() ? h.name + ";" : h.name + ": " + h.value))
      return internal_error("out of memory building the request headers");
  }
  // Nothing libcurl would add on its own that a server might read: no form Content-Type
  // for a body that is not a form, no Expect: 100-continue round trip.
  if (!list.add("Expect:") || (!has_content_type && !list.add("Content-Type:")))
    return internal_error("out of memory building the request headers");
  return {};
}

// The method, and the body for the methods that send one.
inline void set_method(CURL* curl, const HttpRequest& request, Exchange& exchange) {
  if (request.body_reader) {
    exchange.body = request.body_reader;
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);  // PUT, Content-Length from the size
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body_reader->size));
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, &on_read_body);
    curl_easy_setopt(curl, CURLOPT_READDATA, &exchange);
    curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, &on_seek_body);
    curl_easy_setopt(curl, CURLOPT_SEEKDATA, &exchange);
#if LIBCURL_VERSION_NUM >= 0x073E00
    // Larger pieces: fewer callbacks and system calls per part.
    curl_easy_setopt(curl, CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024L);
#endif
    if (request.method != "PUT") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  } else if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "GET" && request.payload().empty()) {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    // Any other method sends its body (maybe empty, with Content-Length: 0) as given.
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.payload().size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.payload().data());
    if (request.method != "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
}

// The transfer's outcome as the caller reads it: the response, or what went wrong and,
// where it helps, what to do about it.
inline Result<HttpResponse> transfer_result(const HttpRequest& request, CURLcode code, long status,
                                            Exchange& exchange) {
  if (exchange.too_long)
    return destination_error(request.method + " " + url_without_query(request.url) + ": the response is longer than " +
                             std::to_string(exchange.max_body) + " bytes");
  if (code == CURLE_ABORTED_BY_CALLBACK && stop_requested(request.stop)) return interrupted_error(*request.stop);
  if (exchange.body_unreadable)
    return input_error(request.method + " " + url_without_query(request.url) +
                       ": the body could not be read while it was sent (was the file changed or removed?)");
  if (code != CURLE_OK) {
    const std::string detail_text = exchange.error_text[0] != '\0' ? exchange.error_text : curl_easy_strerror(code);
    return destination_error(request.method + " " + url_without_query(request.url) + " failed: " + detail_text +
                             " (curl error " + std::to_string(static_cast<int>(code)) + ")" + curl_failure_hint(code));
  }
  exchange.response.status = static_cast<int>(status);
  return std::move(exchange.response);
}

}  // namespace detail

inline CurlTransport::CurlTransport(CurlOptions options) : options_(std::move(options)) {
  if (options_.ca_bundle.empty())
    if (const char* bundle = std::getenv("AWS_CA_BUNDLE")) options_.ca_bundle = bundle;
}

inline CurlTransport::~CurlTransport() {
  for (CURL* handle : idle_) curl_easy_cleanup(handle);
}

inline CURL* CurlTransport::take_handle() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_.empty()) {
      CURL* handle = idle_.back();
      idle_.pop_back();
      return handle;
    }
  }
  if (!detail::curl_initialized()) return nullptr;
  return curl_easy_init();
}

inline void CurlTransport::give_back(CURL* handle) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (idle_.size() < options_.max_idle_handles) {
      idle_.push_back(handle);
      return;
    }
  }
  curl_easy_cleanup(handle);
}

inline void CurlTransport::set_transfer_options(CURL* curl, const HttpRequest& request, curl_slist* headers,
                                                detail::Exchange& exchange) const {
  const long timeout_ms =
      static_cast<long>((request.timeout.count() > 0 ? request.timeout : options_.timeout).count());
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  // The path goes out as given: folding "/../" would send a request for another object
  // (or bucket) than the one signed and named in messages.
  curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.ca_bundle.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_bundle.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM: safe in threads
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, options_.low_speed_bytes);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.low_speed_time.count()));
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, exchange.error_text);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &detail::on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &exchange);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &detail::on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &exchange);
  if (request.stop) {
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &detail::on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &exchange);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  }
}

// Reads the status and the connections the transfer opened, then gives the handle back.
inline long CurlTransport::finish_transfer(CURL* curl) {
  long status = 0, connects = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &connects);
  connections_opened_ += static_cast<uint64_t>(connects);
  // The handle keeps pointers to this call's header list and buffers until reset.
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  give_back(curl);
  return status;
}

inline Result<HttpResponse> CurlTransport::send(const HttpRequest& request) {
  S3DEST_TRY(detail::check_request_line(request));
  detail::HeaderList headers;
  S3DEST_TRY(detail::build_header_list(request.headers, headers));

  if (stop_requested(request.stop)) return interrupted_error(*request.stop);
  CURL* curl = take_handle();
  if (curl == nullptr) return internal_error("libcurl could not be initialised");
  curl_easy_reset(curl);  // options only: the handle's open connections stay

  detail::Exchange exchange;
  exchange.max_body = options_.max_response_bytes;
  exchange.stop = request.stop;
  set_transfer_options(curl, request, headers.list, exchange);
  detail::set_method(curl, request, exchange);
  const CURLcode code = curl_easy_perform(curl);
  const long status = finish_transfer(curl);
  return detail::transfer_result(request, code, status, exchange);
}

}  // namespace s3dest::http
