// UTC civil time: days since 1970-01-01 for dates, microseconds since the epoch for
// timestamps, and the one parser and formatter of ISO 8601 / RFC 3339 text in s3dest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace s3dest {

struct CivilDate {
  int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

struct CivilDateTime {
  CivilDate date;
  unsigned hour, minute, second;
  unsigned microsecond;
};

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

// Howard Hinnant's days_from_civil: exact for every proleptic Gregorian date. Years 1 to
// 1,000,000 (every date a parser reads) take unsigned 32-bit arithmetic: two to three
// times faster than signed 64-bit division, and this runs on every date and timestamp
// a load reads or writes.
constexpr int64_t days_from_civil(CivilDate d) {
  if (d.year >= 1 && d.year <= 1000000) {
    const uint32_t y = static_cast<uint32_t>(d.year) - (d.month <= 2);
    const uint32_t era = y / 400, yoe = y % 400;
    const uint32_t mp = d.month > 2 ? d.month - 3 : d.month + 9;
    const uint32_t doy = (153 * mp + 2) / 5 + d.day - 1;
    const uint32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return static_cast<int64_t>(era * 146097 + doe) - 719468;
  }
  const int64_t y = static_cast<int64_t>(d.year) - (d.month <= 2);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t mp = (d.month + 9) % 12;
  const int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

constexpr bool is_leap_year(int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

// Days in `month` (1..12) of `year`.
constexpr unsigned days_in_month(int64_t year, unsigned month) {
  constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

// Its inverse, with the same fast path from 0000-03-01 on, up to year 11 million.
constexpr CivilDate civil_from_days(int64_t z) {
  if (z >= -719468 && z <= int64_t{0xFFFFFFFF} - 719468) {
    const uint32_t shifted = static_cast<uint32_t>(z + 719468);  // days since 0000-03-01
    const uint32_t era = shifted / 146097, doe = shifted % 146097;
    const uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const uint32_t mp = (5 * doy + 2) / 153;
    const unsigned day = doy - (153 * mp + 2) / 5 + 1;
    const unsigned month = mp < 10 ? mp + 3 : mp - 9;
    return CivilDate{int64_t{era} * 400 + yoe + (month <= 2), month, day};
  }
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const unsigned day = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  const unsigned month = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  return CivilDate{yoe + era * 400 + (month <= 2), month, day};
}

constexpr int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// A timestamp's day since the epoch and its time of day.
struct DayAndTime {
  int64_t days;
  uint32_t second;  // of the day: 32 bits do
  unsigned microsecond;
};

inline DayAndTime day_and_time(int64_t micros) {
  const int64_t days = floor_div(micros, kMicrosPerDay);
  const int64_t of_day = micros - days * kMicrosPerDay;
  const auto second = static_cast<uint32_t>(of_day / kMicrosPerSecond);
  return DayAndTime{days, second, static_cast<unsigned>(of_day - int64_t{second} * kMicrosPerSecond)};
}

inline CivilDateTime civil_from_micros(int64_t micros) {
  const DayAndTime t = day_and_time(micros);
  return CivilDateTime{civil_from_days(t.days), t.second / 3600, t.second / 60 % 60, t.second % 60, t.microsecond};
}

// "YYYY-MM-DD", "YYYY/MM/DD" or "YYYY.MM.DD" (four-digit year first, so the order of
// month and day is never guessed) to days since the epoch; nullopt if not a real date.
std::optional<int32_t> parse_date(std::string_view text);

// Whether `text` is shaped like the start of parse_date's forms: ten characters or more,
// the same separator ('-', '/' or '.') at positions 4 and 7. A cheap test that rules out
// most text before parse_date or parse_timestamp is tried.
bool has_date_shape(std::string_view text);

// A UTC offset in seconds east of UTC: Z, z, UTC, +hh, +hhmm or +hh:mm (or -), maybe after
// one space; empty text is UTC (0). nullopt for anything else.
std::optional<int64_t> parse_utc_offset(std::string_view text);

// A timestamp as databases and RFC 3339 write it, to UTC microseconds:
//
//   DATE (T|t|space) HH:MM[:SS[.f{1,9}]] [OFFSET]
//
// DATE as parse_date takes it; OFFSET one of Z, z, +hh, +hhmm, +hh:mm (or -), UTC, maybe
// after one space; none means UTC (as PostgreSQL's `timestamp`, MySQL, BigQuery and
// pandas write it). A date alone is its midnight, UTC. Digits past microseconds must be
// zero, so no value is silently rounded.
std::optional<int64_t> parse_timestamp(std::string_view text);

// "YYYY-MM-DD".
void append_date(std::string& out, int32_t days);
// "YYYY-MM-DDTHH:MM:SS[.ffffff]Z": the fraction only when it is not zero.
void append_timestamp(std::string& out, int64_t micros);

// The same at `p`, which has room for kMaxDateText or kMaxTimestampText bytes; they
// return the end. (Years past 9999 take more digits, and years before 0 a sign.)
inline constexpr size_t kMaxDateText = 16;       // "-5877641-06-23"
inline constexpr size_t kMaxTimestampText = 32;  // "-290308-12-21T19:59:05.224192Z"
char* write_date(char* p, int32_t days);
char* write_timestamp(char* p, int64_t micros);

}  // namespace s3dest

#include "s3dest/core/civil_time-inl.hpp"
