// When to try a request again, and how long to wait first: the AWS SDKs' standard mode
// (exponential backoff with full jitter; 429, 5xx and connection failures retried, and
// whatever else the caller's `retryable` says, such as a service's throttling codes).
// Each attempt is built afresh, so a signed request is signed with the time it is sent at
// (aws/signed_exchange.hpp does that for AWS requests).
//
//   auto response = http::send_with_retries(sender, policy, [&]() -> Result<http::HttpRequest> {
//     return build_my_request();
//   });
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <string_view>
#include <thread>

#include "s3dest/core/status.hpp"
#include "s3dest/http/exchange.hpp"

namespace s3dest::http {

struct RetryPolicy {
  int max_attempts = 3;
  std::chrono::milliseconds base_delay{100};
  std::chrono::milliseconds max_delay{20000};

  // The wait before attempt `attempt` (2, 3, ...): a random time up to
  // min(max_delay, base_delay * 2^(attempt - 2)).
  std::chrono::milliseconds delay_before(int attempt) const;
};

// 429, 500, 502, 503 and 504: the server may well answer the same request next time.
bool is_retryable_status(int http_status);

// Sends what `make_request` builds until a response is not retryable or the attempts are
// spent. A failure to get any response (connection refused, timeout) is retried too;
// a failure to build the request is not. Returns the last response or failure.
Result<HttpResponse> send_with_retries(HttpSender& sender, const RetryPolicy& policy,
                                       const std::function<Result<HttpRequest>()>& make_request,
                                       const std::function<bool(const HttpResponse&)>& retryable = nullptr);

}  // namespace s3dest::http

namespace s3dest::http {
namespace detail {

inline void wait_unless_stopped(std::chrono::milliseconds delay, const StopFlag* stop) {
  const auto until = std::chrono::steady_clock::now() + delay;
  while (!stop_requested(stop) && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        std::chrono::milliseconds(50), until - std::chrono::steady_clock::now()));
}

}  // namespace detail

inline std::chrono::milliseconds RetryPolicy::delay_before(int attempt) const {
  if (attempt < 2) return std::chrono::milliseconds(0);
  int64_t cap = base_delay.count();
  for (int i = 2; i < attempt && cap < max_delay.count(); ++i) cap *= 2;
  cap = std::min<int64_t>(cap, max_delay.count());
  thread_local std::minstd_rand random(std::random_device{}());
  return std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(0, std::max<int64_t>(cap, 0))(random));
}

inline bool is_retryable_status(int http_status) {
  return http_status == 429 || http_status == 500 || http_status == 502 || http_status == 503 ||
         http_status == 504;
}

inline Result<HttpResponse> send_with_retries(HttpSender& sender, const RetryPolicy& policy,
                                              const std::function<Result<HttpRequest>()>& make_request,
                                              const std::function<bool(const HttpResponse&)>& retryable) {
  const int attempts = std::max(policy.max_attempts, 1);
  const StopFlag* stop = nullptr;  // the previous attempt's: a raised flag cuts the wait short
  for (int attempt = 1;; ++attempt) {
    if (attempt > 1) detail::wait_unless_stopped(policy.delay_before(attempt), stop);
    auto request = make_request();
    if (!request.ok()) return request.status();
    stop = request->stop;
    auto response = sender.send(*request);
    // Only a missing answer is retried, not a request the sender refused to send.
    const bool again = !response.ok() ? response.status().kind() == ErrorKind::destination
                                      : is_retryable_status(response->status) || (retryable && retryable(*response));
    if (!again || attempt >= attempts) return response;
  }
}

}  // namespace s3dest::http
