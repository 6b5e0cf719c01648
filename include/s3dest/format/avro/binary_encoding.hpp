// Avro's binary encoding of single values (Avro 1.11 specification, "Binary Encoding"):
// int and long as zig-zag variable-length integers, double as 8 little-endian bytes,
// bytes and string as a long length then the bytes, and the decimal logical type's
// big-endian two's-complement bytes.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "s3dest/table/row.hpp"

namespace s3dest {
namespace avro {

// Zig-zag maps signed to unsigned so small magnitudes stay short: 0,-1,1,-2 -> 0,1,2,3.
inline uint64_t zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

// Appends `v` (int or long: the encoding is the same) as a zig-zag varint, 7 bits a byte,
// low group first, high bit set on every byte but the last.
inline void append_long(std::string& out, int64_t v) {
  uint64_t n = zigzag(v);
  while (n >= 0x80) {
    out.push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out.push_back(static_cast<char>(n));
}

// Bytes append_long(v) writes: 1..10.
inline size_t long_size(int64_t v) {
  uint64_t n = zigzag(v);
  size_t size = 1;
  while (n >= 0x80) {
    n >>= 7;
    ++size;
  }
  return size;
}

inline void append_double(std::string& out, double v) {
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof bits);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

inline void append_boolean(std::string& out, bool v) { out.push_back(v ? '\x01' : '\x00'); }

// bytes and string alike.
inline void append_bytes(std::string& out, std::string_view bytes) {
  append_long(out, static_cast<int64_t>(bytes.size()));
  out.append(bytes);
}

// The decimal logical type on bytes: the unscaled value in big-endian two's complement,
// in as few bytes as keep the sign (-1 -> ff, 127 -> 7f, 128 -> 00 80, 0 -> 00).
inline void append_decimal(std::string& out, int128_t unscaled) {
  unsigned char be[16];
  const uint128_t u = static_cast<uint128_t>(unscaled);
  for (int i = 0; i < 16; ++i) be[i] = static_cast<unsigned char>((u >> (8 * (15 - i))) & 0xff);
  // Drop a leading byte while it only repeats the sign that the next byte already shows.
  size_t first = 0;
  while (first < 15 && ((be[first] == 0x00 && (be[first + 1] & 0x80) == 0) ||
                        (be[first] == 0xff && (be[first + 1] & 0x80) != 0)))
    ++first;
  append_long(out, static_cast<int64_t>(16 - first));
  out.append(reinterpret_cast<const char*>(be + first), 16 - first);
}

}  // namespace avro
}  // namespace s3dest
