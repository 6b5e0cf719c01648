// Times spelled in other ways than parse_date and parse_timestamp read: by a format
// (strptime-like: "%m/%d/%Y %I:%M %p", "%b %e %Y") or as a number since the epoch in a
// unit (1751371200 seconds, 1751371200000 milliseconds). Both give UTC microseconds.
//
//   auto error = check_time_format("%d.%m.%Y");          // nullopt: a format this reads
//   auto micros = parse_time_with_format("31.01.2024", "%d.%m.%Y");
//   auto at = parse_epoch("1751371200.5", EpochUnit::s);  // 2025-07-01T12:00:00.5Z
//
// Directives: %Y year (4 digits), %m month (1-2), %d day (1-2), %e day (1-2, a leading
// space allowed), %j day of the year (1-3), %b / %B month name (Jan / January, any case),
// %H hour (0-23), %I hour (1-12) with %p (AM/PM, any case), %M minute, %S second, %f
// fraction of a second (1-9 digits; past microseconds only zeros), %z offset (Z, +hh,
// +hhmm, +hh:mm; none is UTC), %% a percent sign. A space matches one or more spaces;
// any other character matches itself.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace s3dest {

enum class EpochUnit : uint8_t { none, s, ms, us, ns };

// "s", "ms", "us", "ns" (as schema files and the config name them); nullopt for others.
inline std::optional<EpochUnit> parse_epoch_unit(std::string_view name) {
  if (name == "s") return EpochUnit::s;
  if (name == "ms") return EpochUnit::ms;
  if (name == "us") return EpochUnit::us;
  if (name == "ns") return EpochUnit::ns;
  return std::nullopt;
}

inline const char* epoch_unit_name(EpochUnit unit) {
  switch (unit) {
    case EpochUnit::s: return "seconds";
    case EpochUnit::ms: return "milliseconds";
    case EpochUnit::us: return "microseconds";
    case EpochUnit::ns: return "nanoseconds";
    case EpochUnit::none: break;
  }
  return "?";
}

// Whether a format reads a time of day (or an offset), so that its values are timestamps.
inline bool format_has_time(std::string_view format) {
  for (size_t i = 0; i + 1 < format.size(); ++i)
    if (format[i] == '%' && std::string_view("HIMSfzp").find(format[++i]) != std::string_view::npos) return true;
  return false;
}

// Why `format` cannot be used (an unknown directive, %I without %p, no year), or nullopt.
std::optional<std::string> check_time_format(std::string_view format);

// `text` read by a format that check_time_format accepts; nullopt if it does not match or
// names no real time.
std::optional<int64_t> parse_time_with_format(std::string_view text, std::string_view format);

// A whole or decimal number of `unit`s since 1970-01-01T00:00:00Z; nullopt if it is not
// a number, is out of range, or would lose a digit (a nanosecond that is not a whole
// microsecond).
std::optional<int64_t> parse_epoch(std::string_view text, EpochUnit unit);

}  // namespace s3dest

// ---------------------------------------------------------------------------------------

#include "s3dest/core/civil_time.hpp"

namespace s3dest {
namespace detail {

inline constexpr std::string_view kMonthNames[] = {"january", "february", "march",     "april",   "may",      "june",
                                                   "july",    "august",   "september", "october", "november", "december"};

inline bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

// Reads min_digits..max_digits digits at text[pos].
inline bool read_number(std::string_view text, size_t& pos, size_t min_digits, size_t max_digits, unsigned& out) {
  size_t n = 0;
  unsigned v = 0;
  while (n < max_digits && pos + n < text.size() && is_ascii_digit(text[pos + n])) v = v * 10 + (text[pos + n++] - '0');
  if (n < min_digits) return false;
  pos += n;
  out = v;
  return true;
}

// The month whose name (full, or its first three letters) starts text[pos...], any case.
inline bool read_month_name(std::string_view text, size_t& pos, bool full, unsigned& month) {
  for (unsigned m = 0; m < 12; ++m) {
    const std::string_view name = full ? kMonthNames[m] : kMonthNames[m].substr(0, 3);
    if (pos + name.size() > text.size()) continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i) same = (text[pos + i] | 0x20) == name[i];
    if (same) {
      pos += name.size();
      month = m + 1;
      return true;
    }
  }
  return false;
}

// What a format has read of a time so far.
struct TimeFields {
  unsigned year = 0, month = 1, day = 1, yday = 0, hour = 0, minute = 0, second = 0;
  bool pm = false, has_meridiem = false;
  int64_t micros = 0, offset_seconds = 0;
};

// Reads the value of the directive %`directive` at text[pos...] into `fields`; false if
// the text does not match. `rest` is the format after the directive: a %z offset runs to
// the next character it wants.
inline bool read_directive(char directive, std::string_view rest, std::string_view text, size_t& pos,
                           TimeFields& fields) {
  switch (directive) {
    case 'Y': return read_number(text, pos, 4, 4, fields.year);
    case 'm': return read_number(text, pos, 1, 2, fields.month);
    case 'e':
      if (pos < text.size() && text[pos] == ' ') ++pos;
      [[fallthrough]];
    case 'd': return read_number(text, pos, 1, 2, fields.day);
    case 'j': return read_number(text, pos, 1, 3, fields.yday) && fields.yday >= 1;
    case 'b': return read_month_name(text, pos, false, fields.month);
    case 'B': return read_month_name(text, pos, true, fields.month);
    case 'H': return read_number(text, pos, 1, 2, fields.hour) && fields.hour <= 23;
    case 'I': return read_number(text, pos, 1, 2, fields.hour) && fields.hour >= 1 && fields.hour <= 12;
    case 'M': return read_number(text, pos, 1, 2, fields.minute) && fields.minute <= 59;
    case 'S': return read_number(text, pos, 1, 2, fields.second) && fields.second <= 59;
    case 'p': {
      const bool ok = pos + 2 <= text.size() && (text[pos + 1] | 0x20) == 'm' &&
                      ((text[pos] | 0x20) == 'a' || (text[pos] | 0x20) == 'p');
      if (!ok) return false;
      fields.pm = (text[pos] | 0x20) == 'p';
      fields.has_meridiem = true;
      pos += 2;
      return true;
    }
    case 'f': {
      size_t digits = 0;
      for (; pos < text.size() && is_ascii_digit(text[pos]); ++pos, ++digits) {
        if (digits < 6) fields.micros = fields.micros * 10 + (text[pos] - '0');
        else if (text[pos] != '0') return false;  // a digit past microseconds would be lost
      }
      for (size_t d = digits; d < 6; ++d) fields.micros *= 10;
      return digits >= 1 && digits <= 9;
    }
    case 'z': {
      const size_t end = std::min(rest.empty() ? text.size() : text.find(rest[0], pos + 1), text.size());
      const auto offset = parse_utc_offset(text.substr(pos, end - pos));
      if (!offset) return false;
      fields.offset_seconds = *offset;
      pos = end;
      return true;
    }
    case '%': return pos < text.size() && text[pos++] == '%';
    default: return false;
  }
}

// The UTC microseconds of what a format read; nullopt for a day that does not exist.
inline std::optional<int64_t> micros_of(TimeFields fields) {
  if (fields.has_meridiem) fields.hour = fields.hour % 12 + (fields.pm ? 12 : 0);
  int64_t days;
  if (fields.yday != 0) {
    if (fields.yday > (is_leap_year(fields.year) ? 366u : 365u)) return std::nullopt;
    days = days_from_civil(CivilDate{fields.year, 1, 1}) + static_cast<int64_t>(fields.yday) - 1;
  } else {
    const bool real_day = fields.month >= 1 && fields.month <= 12 && fields.day >= 1 &&
                          fields.day <= days_in_month(fields.year, fields.month);
    if (!real_day) return std::nullopt;
    days = days_from_civil(CivilDate{fields.year, fields.month, fields.day});
  }
  const int64_t seconds = days * 86400 + int64_t{fields.hour} * 3600 + int64_t{fields.minute} * 60 + fields.second -
                          fields.offset_seconds;
  return seconds * 1000000 + fields.micros;
}

}  // namespace detail

inline std::optional<std::string> check_time_format(std::string_view format) {
  bool year = false, hour12 = false, meridiem = false;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') continue;
    if (++i == format.size()) return std::string("ends with a lone %; write %% for a percent sign");
    switch (format[i]) {
      case 'Y': year = true; break;
      case 'I': hour12 = true; break;
      case 'p': meridiem = true; break;
      case 'm': case 'd': case 'e': case 'j': case 'b': case 'B': case 'H': case 'M': case 'S': case 'f':
      case '%':
        break;
      case 'z':
        if (i + 1 < format.size() && format[i + 1] == '%')
          return std::string("has %z followed by another %: put a character between them, or %z last");
        break;
      default:
        return "has %" + std::string(1, format[i]) +
               ", which s3dest does not read; use %Y %m %d %e %j %b %B %H %I %p %M %S %f %z or %%";
    }
  }
  if (!year) return std::string("has no %Y: a date needs its four-digit year");
  if (hour12 != meridiem) return std::string("needs %I and %p together (a 12-hour clock and its AM/PM)");
  return std::nullopt;
}

inline std::optional<int64_t> parse_time_with_format(std::string_view text, std::string_view format) {
  detail::TimeFields fields;
  size_t pos = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    const char f = format[i];
    if (f == ' ') {  // one or more spaces
      if (pos >= text.size() || text[pos] != ' ') return std::nullopt;
      while (pos < text.size() && text[pos] == ' ') ++pos;
      continue;
    }
    if (f != '%' || i + 1 == format.size()) {
      if (pos >= text.size() || text[pos] != f) return std::nullopt;
      ++pos;
      continue;
    }
    ++i;
    if (!detail::read_directive(format[i], format.substr(i + 1), text, pos, fields)) return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  return detail::micros_of(fields);
}

inline std::optional<int64_t> parse_epoch(std::string_view text, EpochUnit unit) {
  static constexpr int kDigitsPerUnit[] = {0, 0, 3, 6, 9};  // none, s, ms, us, ns
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 19 || (dot != std::string_view::npos && fraction.empty())) return std::nullopt;
  for (const std::string_view digits : {whole, fraction})
    for (const char c : digits)
      if (!detail::is_ascii_digit(c)) return std::nullopt;
  // Microseconds: the whole units, then one fraction digit (or zero) per power of ten
  // between the unit and a microsecond; any digit finer than that must be zero.
  __extension__ __int128 micros = 0;
  for (const char c : whole) micros = micros * 10 + (c - '0');
  const int scale = 6 - kDigitsPerUnit[static_cast<int>(unit)];
  for (int i = 0; i < scale; ++i)
    micros = micros * 10 + (static_cast<size_t>(i) < fraction.size() ? fraction[static_cast<size_t>(i)] - '0' : 0);
  for (size_t i = static_cast<size_t>(scale > 0 ? scale : 0); i < fraction.size(); ++i)
    if (fraction[i] != '0') return std::nullopt;
  if (scale < 0) {  // nanoseconds: a whole number of microseconds
    if (micros % 1000 != 0) return std::nullopt;
    micros /= 1000;
  }
  if (negative) micros = -micros;
  // Years 0001 to 9999, the ones the formats write.
  if (micros >= static_cast<__int128>(253402300800) * 1000000 || micros < -static_cast<__int128>(62135596800) * 1000000)
    return std::nullopt;
  return static_cast<int64_t>(micros);
}

}  // namespace s3dest
