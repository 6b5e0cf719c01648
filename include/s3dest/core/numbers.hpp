// The one place numbers become text and text becomes numbers: exact integers, and
// doubles in the shortest form that reads back to the same value.
#pragma once

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace s3dest {

// The most bytes write_int and write_double write.
inline constexpr size_t kMaxIntText = 20;     // "-9223372036854775808"
inline constexpr size_t kMaxDoubleText = 24;  // "-2.2250738585072014e-308"

// Writes `value` at `p`, which has room for kMaxIntText bytes; returns the end.
inline char* write_int(char* p, int64_t value) { return std::to_chars(p, p + kMaxIntText, value).ptr; }

inline void append_int(std::string& out, int64_t value) {
  char buf[kMaxIntText];
  out.append(buf, write_int(buf, value));
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

namespace detail {

// `value` (finite, positive) as the shortest round-trip form when that is a decimal of at
// most six places in fixed notation (prices, rates, coordinates: most doubles in
// exports), at `p`, returning the end; nullptr otherwise. std::to_chars's general search
// takes 40-50 ns a value; this takes a fraction of it.
//
// Why the result is to_chars's: `value` times 10^6, rounded, with its trailing zeros
// dropped, is a decimal of k <= 6 places; it is written only when it reads back as
// `value`. Since value * 10^6 < 2^52, the spacing 10^-k of such decimals is more than
// the gap between neighbouring doubles, so no other decimal of k places or fewer reads
// back as `value`: this one is the shortest, and the closest. to_chars writes the shorter
// of fixed and scientific notation (fixed on a tie), so neither is this when scientific
// would be shorter ("1e+05", "1e-04").
inline char* write_few_decimals(char* p, double value) {
  constexpr double kPow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};
  constexpr uint64_t kPow10Int[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
  const double scaled = value * 1e6;
  if (!(scaled >= 1 && scaled < 4e15)) return nullptr;
  const auto all = static_cast<uint64_t>(scaled + 0.5);
  // A decimal of six places or fewer is within rounding error of an integer here; most
  // other doubles are far from one, and leave at once.
  if (std::fabs(scaled - static_cast<double>(all)) > scaled * 0x1p-50) return nullptr;
  int zeros = 0, digits = 1;
  for (uint64_t v = all; v % 10 == 0; v /= 10) ++zeros;
  for (uint64_t power = 10; digits < 16 && all >= power; power *= 10) ++digits;
  const int places = zeros >= 6 ? 0 : 6 - zeros;
  uint64_t unscaled = all / kPow10Int[6 - places];
  if (static_cast<double>(unscaled) / kPow10[places] != value) return nullptr;
  const int significant = digits - zeros;
  const int length = digits > 6 ? digits - 6 + (places > 0 ? 1 + places : 0) : 2 + places;  // fixed notation
  if (significant + (significant > 1 ? 1 : 0) + 4 < length) return nullptr;  // d.ddde+XX is shorter
  // The digits from the last: the places, the point, the whole part (at least "0").
  char* at = p + length;
  for (int i = 0; i < places; ++i, unscaled /= 10) *--at = static_cast<char>('0' + unscaled % 10);
  if (places > 0) *--at = '.';
  do {
    *--at = static_cast<char>('0' + unscaled % 10);
    unscaled /= 10;
  } while (at > p);
  return p + length;
}

}  // namespace detail

// Shortest round-trip form ("0.1", "1e+300", "-0"), and "nan", "inf", "-inf" for the
// values that are not finite (what csv readers, DuckDB and pandas among them, read back).
// write_double writes at `p`, which has room for kMaxDoubleText bytes, and returns the end.
inline char* write_double(char* p, double value) {
  if (std::isnan(value)) {
    p[0] = 'n', p[1] = 'a', p[2] = 'n';
    return p + 3;
  }
  char* const start = p;
  if (value < 0) *p++ = '-';
  if (char* end = detail::write_few_decimals(p, std::fabs(value))) return end;
  return std::to_chars(start, start + kMaxDoubleText, value).ptr;
}

inline void append_double(std::string& out, double value) {
  char buf[kMaxDoubleText];
  out.append(buf, write_double(buf, value));
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
