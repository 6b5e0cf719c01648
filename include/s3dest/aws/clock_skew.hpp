// A signature is only accepted within 15 minutes of the server's time. When this
// machine's clock is off, the server answers RequestTimeTooSkewed (or RequestExpired);
// the AWS SDKs then take the time from the reply's Date header, sign again with that
// offset, and keep it for later requests. ClockSkew is that offset, shared by the
// requests of one client (many threads may use it).
//
//   aws::ClockSkew skew;
//   sign(..., skew.now(clock()));                       // the corrected time
//   if (skew.learn(response, clock())) retry();         // a skew error: the offset is set
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "s3dest/core/civil_time.hpp"
#include "s3dest/http/exchange.hpp"

namespace s3dest::aws {

class ClockSkew {
 public:
  // `local` corrected by what was learned.
  int64_t now(int64_t local) const { return local + offset_.load(std::memory_order_relaxed); }
  int64_t offset() const { return offset_.load(std::memory_order_relaxed); }

  // If `response` says the request's time was off and carries a Date, learns the offset
  // from it and returns true (the request should be signed again); else false.
  bool learn(const http::HttpResponse& response, int64_t local_now);

 private:
  std::atomic<int64_t> offset_{0};
};

// An HTTP date (RFC 7231 IMF-fixdate, "Wed, 25 Nov 2026 21:00:00 GMT") in Unix seconds.
std::optional<int64_t> parse_http_date(std::string_view text);

namespace detail {

inline bool is_skew_error(const http::HttpResponse& response) {
  if (response.status != 403 && response.status != 400) return false;
  for (const std::string_view code : {"RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture"})
    if (response.body.find(code) != std::string::npos) return true;
  return false;
}

}  // namespace detail

inline std::optional<int64_t> parse_http_date(std::string_view text) {
  // "Www, DD Mon YYYY HH:MM:SS GMT"
  if (text.size() != 29 || text.substr(3, 2) != ", " || text.substr(25) != " GMT") return std::nullopt;
  static constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  const std::string_view month = text.substr(8, 3);
  int month_number = 0;
  for (int m = 0; m < 12; ++m)
    if (kMonths.substr(static_cast<size_t>(m) * 3, 3) == month) month_number = m + 1;
  if (month_number == 0) return std::nullopt;
  const auto number = [&](size_t at, size_t digits) -> std::optional<int> {
    int v = 0;
    for (size_t i = 0; i < digits; ++i) {
      const char c = text[at + i];
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + (c - '0');
    }
    return v;
  };
  const auto day = number(5, 2), year = number(12, 4), hour = number(17, 2), minute = number(20, 2),
             second = number(23, 2);
  if (!day || !year || !hour || !minute || !second || text[16] != ' ' || text[19] != ':' || text[22] != ':' ||
      *day < 1 || *day > 31 || *hour > 23 || *minute > 59 || *second > 60)
    return std::nullopt;
  CivilDate date;
  date.year = *year;
  date.month = static_cast<unsigned>(month_number);
  date.day = static_cast<unsigned>(*day);
  return days_from_civil(date) * 86400 + *hour * 3600 + *minute * 60 + *second;
}

inline bool ClockSkew::learn(const http::HttpResponse& response, int64_t local_now) {
  if (!detail::is_skew_error(response)) return false;
  const std::string* date = response.find_header("Date");
  const auto server = date ? parse_http_date(*date) : std::nullopt;
  if (!server) return false;
  offset_.store(*server - local_now, std::memory_order_relaxed);
  return true;
}

}  // namespace s3dest::aws
