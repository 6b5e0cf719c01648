#pragma once

#include <cstring>

#include "s3dest/core/civil_time.hpp"
#include "s3dest/core/numbers.hpp"

namespace s3dest {
namespace detail {

inline bool read_digits(std::string_view text, size_t pos, size_t count, unsigned& out) {
  if (pos + count > text.size()) return false;
  unsigned v = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  out = v;
  return true;
}

// The date at the start of `text`: "YYYY-MM-DD", or '/' or '.' in both places.
inline std::optional<CivilDate> parse_civil_date(std::string_view text) {
  unsigned y, m, d;
  if (!has_date_shape(text)) return std::nullopt;
  if (!read_digits(text, 0, 4, y) || !read_digits(text, 5, 2, m) || !read_digits(text, 8, 2, d))
    return std::nullopt;
  if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return std::nullopt;
  return CivilDate{y, m, d};
}

// Dates and times are formatted on every row of csv and json output: write the common
// case (years 0 to 9999) two digits at a time into one buffer.
inline char* write_two(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
  return p + 2;
}

inline char* write_civil_date(char* p, const CivilDate& d) {
  if (d.year >= 0 && d.year <= 9999) {
    p = write_two(p, static_cast<unsigned>(d.year / 100));
    p = write_two(p, static_cast<unsigned>(d.year % 100));
  } else {
    p = write_zero_padded(p, d.year, 4);
  }
  *p++ = '-';
  p = write_two(p, d.month);
  *p++ = '-';
  return write_two(p, d.day);
}

// The date `days` since the epoch, at `p` (room for kMaxDateText). Rows of one day tend
// to follow one another, so each thread keeps the last date it wrote: working out the
// civil date of every date and timestamp was a twentieth of a json load's CPU.
inline char* write_days(char* p, int64_t days) {
  struct LastDate {
    int64_t days = INT64_MIN;
    char text[kMaxDateText] = {};
    size_t size = 0;
  };
  thread_local LastDate last;
  if (days != last.days) {
    last.size = static_cast<size_t>(write_civil_date(last.text, civil_from_days(days)) - last.text);
    last.days = days;
  }
  std::memcpy(p, last.text, kMaxDateText);  // all of it: one copy of a fixed size
  return p + last.size;
}

}  // namespace detail

inline bool has_date_shape(std::string_view text) {
  const auto is_date_separator = [](char c) { return c == '-' || c == '/' || c == '.'; };
  return text.size() >= 10 && is_date_separator(text[4]) && text[7] == text[4];
}

inline std::optional<int32_t> parse_date(std::string_view text) {
  if (text.size() != 10) return std::nullopt;
  const auto d = detail::parse_civil_date(text);
  if (!d) return std::nullopt;
  return static_cast<int32_t>(days_from_civil(*d));
}

inline std::optional<int64_t> parse_utc_offset(std::string_view text) {
  if (text.empty()) return 0;
  if (text[0] == ' ') text.remove_prefix(1);
  if (text == "Z" || text == "z" || text == "UTC") return 0;
  if (text.empty() || (text[0] != '+' && text[0] != '-')) return std::nullopt;
  unsigned oh = 0, om = 0;
  const bool hours = detail::read_digits(text, 1, 2, oh);
  const bool fits = hours && (text.size() == 3 || (text.size() == 5 && detail::read_digits(text, 3, 2, om)) ||
                              (text.size() == 6 && text[3] == ':' && detail::read_digits(text, 4, 2, om)));
  if (!fits || oh > 23 || om > 59) return std::nullopt;
  return (text[0] == '-' ? -1 : 1) * static_cast<int64_t>(oh * 3600 + om * 60);
}

inline std::optional<int64_t> parse_timestamp(std::string_view text) {
  const auto date = detail::parse_civil_date(text);
  if (date && text.size() == 10) return days_from_civil(*date) * kMicrosPerDay;
  if (!date || text.size() < 16) return std::nullopt;
  const char sep = text[10];
  if (sep != 'T' && sep != 't' && sep != ' ') return std::nullopt;
  unsigned h, mi, s = 0;
  if (!detail::read_digits(text, 11, 2, h) || text[13] != ':' || !detail::read_digits(text, 14, 2, mi))
    return std::nullopt;
  size_t pos = 16;
  const bool has_seconds = pos < text.size() && text[pos] == ':';
  if (has_seconds) {
    if (!detail::read_digits(text, 17, 2, s)) return std::nullopt;
    pos = 19;
  }
  if (h > 23 || mi > 59 || s > 59) return std::nullopt;
  int64_t micros = 0;
  if (has_seconds && pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 6) {
        micros = micros * 10 + (text[pos] - '0');
      } else if (text[pos] != '0') {
        return std::nullopt;  // finer than a microsecond: refuse rather than round
      }
      ++digits;
      ++pos;
    }
    if (digits == 0 || digits > 9) return std::nullopt;
    for (size_t i = digits; i < 6; ++i) micros *= 10;
  }
  const auto offset_seconds = parse_utc_offset(text.substr(pos));
  if (!offset_seconds) return std::nullopt;
  const int64_t seconds = days_from_civil(*date) * 86400 + h * 3600 + mi * 60 + s - *offset_seconds;
  return seconds * kMicrosPerSecond + micros;
}

inline char* write_date(char* p, int32_t days) { return detail::write_days(p, days); }

inline void append_date(std::string& out, int32_t days) {
  char buf[kMaxDateText];
  out.append(buf, write_date(buf, days));
}

inline char* write_timestamp(char* p, int64_t micros) {
  const DayAndTime t = day_and_time(micros);
  p = detail::write_days(p, t.days);
  *p++ = 'T';
  p = detail::write_two(p, t.second / 3600);
  *p++ = ':';
  p = detail::write_two(p, t.second / 60 % 60);
  *p++ = ':';
  p = detail::write_two(p, t.second % 60);
  if (t.microsecond != 0) {
    *p++ = '.';
    p = detail::write_two(p, t.microsecond / 10000);
    p = detail::write_two(p, t.microsecond / 100 % 100);
    p = detail::write_two(p, t.microsecond % 100);
  }
  *p++ = 'Z';
  return p;
}

inline void append_timestamp(std::string& out, int64_t micros) {
  char buf[kMaxTimestampText];
  out.append(buf, write_timestamp(buf, micros));
}

}  // namespace s3dest
