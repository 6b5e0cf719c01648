// The one place numbers become text and text becomes numbers: exact integers, and
// doubles in the shortest form that reads back to the same value.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace s3dest {

inline void append_int(std::string& out, int64_t value) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, r.ptr);
}

// `value` zero-padded to at least `width` (at most 20) digits after any '-' ("2024", "07",
// "000250"): the fixed-width fields of dates, times and object keys. write_zero_padded
// writes at `p`, which has room for 21 bytes, and returns the end.
inline char* write_zero_padded(char* p, int64_t value, int width) {
  if (value < 0) {
    *p++ = '-';
    value = -value;
  }
  char digits[20];
  int n = 0;
  auto v = static_cast<uint64_t>(value);
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0 || n < width);
  while (n > 0) *p++ = digits[--n];
  return p;
}

inline void append_zero_padded(std::string& out, int64_t value, int width) {
  char buf[24];
  out.append(buf, write_zero_padded(buf, value, width));
}

// Shortest round-trip form ("0.1", "1e+300", "-0"), and "nan", "inf", "-inf" for the
// values that are not finite (what csv readers, DuckDB and pandas among them, read back).
inline void append_double(std::string& out, double value) {
  if (std::isnan(value)) return out.append("nan"), void();
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, r.ptr);
}

inline std::optional<int64_t> parse_int64(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  int64_t value = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), value);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// The spellings of the values that are not finite, in any case, after an optional sign:
// nan, inf, infinity (what DuckDB, pandas, PostgreSQL and JavaScript write).
inline std::optional<double> parse_non_finite(std::string_view text) {
  const bool negative = !text.empty() && text.front() == '-';
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) text.remove_prefix(1);
  const auto is = [text](std::string_view word) {
    if (text.size() != word.size()) return false;
    for (size_t i = 0; i < word.size(); ++i)
      if ((text[i] | 0x20) != word[i]) return false;
    return true;
  };
  if (is("nan")) return std::numeric_limits<double>::quiet_NaN();
  if (is("inf") || is("infinity")) return negative ? -std::numeric_limits<double>::infinity()
                                                   : std::numeric_limits<double>::infinity();
  return std::nullopt;
}

// A double in decimal or exponent form (1, -1.5, +1e3, -1.5E-7) or a non-finite spelling.
inline std::optional<double> parse_double(std::string_view text) {
  std::string_view number = text;
  if (!number.empty() && number.front() == '+') number.remove_prefix(1);
  double value = 0;
  const auto r = std::from_chars(number.data(), number.data() + number.size(), value);
  // from_chars reads no hex, space or '+' (chars_format::general); its own nan and inf
  // spellings, and decimal spellings too big for a double (1e999), are not finite.
  if (r.ec == std::errc() && r.ptr == number.data() + number.size() && std::isfinite(value)) return value;
  return parse_non_finite(text);
}

}  // namespace s3dest
