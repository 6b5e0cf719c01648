// Exact decimals: text to an unscaled 128-bit integer at a column's scale, and back.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "s3dest/table/row.hpp"
#include "s3dest/table/schema.hpp"

namespace s3dest {

// Parses "-12.5", "12.50", "1e3" into the unscaled value at `type`'s scale. Refuses text
// that would lose digits (more fraction digits than the scale, unless they are zeros) or
// that needs more than the precision: never rounds.
std::optional<int128_t> parse_decimal(std::string_view text, const ColumnType& type);

// "-12.50" for unscaled -1250 at scale 2; "0.05" for 5; the scale's digits always shown.
void append_decimal(std::string& out, int128_t unscaled, unsigned scale);
// The same at `p`, which has room for kMaxDecimalText bytes (a scale of at most 38, as
// the schema allows); returns the end.
inline constexpr size_t kMaxDecimalText = 48;  // a sign, 39 digits or "0." and 38
char* write_decimal(char* p, int128_t unscaled, unsigned scale);

}  // namespace s3dest

namespace s3dest {
namespace detail {
inline int128_t pow10_128(unsigned n) {
  int128_t v = 1;
  while (n-- > 0) v *= 10;
  return v;
}
}  // namespace detail

inline std::optional<int128_t> parse_decimal(std::string_view text, const ColumnType& type) {
  size_t pos = 0;
  bool negative = false;
  if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) negative = text[pos++] == '-';
  // Collect the significant digits and where the decimal point sits.
  std::string digits;
  long point = -1;  // digits before the point
  bool any_digit = false;
  for (; pos < text.size(); ++pos) {
    const char c = text[pos];
    if (c >= '0' && c <= '9') {
      any_digit = true;
      if (digits.empty() && c == '0') {
        if (point >= 0) digits.push_back(c);  // keep zeros after the point to count position
        continue;
      }
      digits.push_back(c);
    } else if (c == '.' && point < 0) {
      point = static_cast<long>(digits.size());
    } else {
      break;
    }
  }
  if (!any_digit) return std::nullopt;
  if (point < 0) point = static_cast<long>(digits.size());
  long exponent = 0;
  if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
    ++pos;
    bool exp_negative = false;
    if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) exp_negative = text[pos++] == '-';
    if (pos >= text.size()) return std::nullopt;
    for (; pos < text.size(); ++pos) {
      if (text[pos] < '0' || text[pos] > '9' || exponent > 1000) return std::nullopt;
      exponent = exponent * 10 + (text[pos] - '0');
    }
    if (exp_negative) exponent = -exponent;
  }
  if (pos != text.size()) return std::nullopt;
  // value = 0.digits * 10^(point + exponent); we need digits shifted to `scale` places.
  const long integer_digits = point + exponent;
  const long fraction_digits = static_cast<long>(digits.size()) - integer_digits;
  long shift = static_cast<long>(type.scale) - fraction_digits;  // zeros to append
  if (shift < 0) {
    // Dropped digits must all be zero, else the value does not fit the scale.
    for (long i = static_cast<long>(digits.size()) + shift; i < static_cast<long>(digits.size()); ++i)
      if (i >= 0 && digits[static_cast<size_t>(i)] != '0') return std::nullopt;
    digits.resize(static_cast<size_t>(std::max<long>(0, static_cast<long>(digits.size()) + shift)));
    shift = 0;
  }
  // Strip leading zeros that came from "0.0x" forms.
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) digits.clear();
  else digits.erase(0, first);
  if (static_cast<long>(digits.size()) + shift > type.precision) return std::nullopt;
  int128_t value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  value *= detail::pow10_128(static_cast<unsigned>(shift));
  return negative ? -value : value;
}

inline char* write_decimal(char* p, int128_t unscaled, unsigned scale) {
  char digits[48];
  int n = 0;
  const bool negative = unscaled < 0;
  // Work with the magnitude as unsigned so the most negative value is handled too.
  uint128_t v = negative ? static_cast<uint128_t>(0) - static_cast<uint128_t>(unscaled)
                         : static_cast<uint128_t>(unscaled);
  do {
    digits[n++] = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  } while (v != 0 || n <= static_cast<int>(scale));
  if (negative) *p++ = '-';
  while (n > 0) {
    if (n == static_cast<int>(scale)) *p++ = '.';
    *p++ = digits[--n];
  }
  return p;
}

inline void append_decimal(std::string& out, int128_t unscaled, unsigned scale) {
  char buf[kMaxDecimalText];
  out.append(buf, write_decimal(buf, unscaled, scale));
}

}  // namespace s3dest
