// Hex digits, the one table s3dest writes them from: lower case for digests, ids and JSON
// escapes (as SigV4 and ETags spell digests), upper case for percent-encoding (as SigV4
// and RFC 3986 want) and for escapes shown to users.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace s3dest {

enum class HexCase { lower, upper };

constexpr char hex_digit(unsigned value, HexCase letters = HexCase::lower) {
  return (letters == HexCase::lower ? "0123456789abcdef" : "0123456789ABCDEF")[value & 15];
}

// `digits` hex digits of `value`, most significant first.
inline void append_hex_digits(std::string& out, uint64_t value, int digits, HexCase letters = HexCase::lower) {
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out.push_back(hex_digit(static_cast<unsigned>(value >> shift), letters));
}

// Each byte as two digits.
inline void append_hex(std::string& out, std::string_view bytes, HexCase letters = HexCase::lower) {
  for (const char c : bytes) append_hex_digits(out, static_cast<unsigned char>(c), 2, letters);
}

inline std::string to_hex(std::string_view bytes) {
  std::string out;
  append_hex(out, bytes);
  return out;
}

}  // namespace s3dest
