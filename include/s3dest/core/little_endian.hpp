// Fixed-width values as little-endian bytes: the one framing s3dest uses, in the files it
// writes (parquet's PLAIN values and footer length) and in its own buffers (the reader's
// length-framed batches).
#pragma once

#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace s3dest {

// The bytes of `v`, least significant first, written at `at`; returns the end. Integers and
// floating point of 1 to 8 bytes.
template <typename T>
char* store_little_endian(char* at, T v) {
  static_assert(std::is_arithmetic<T>::value, "a number");
  std::memcpy(at, &v, sizeof(T));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  for (size_t i = 0; i < sizeof(T) / 2; ++i) std::swap(at[i], at[sizeof(T) - 1 - i]);
#endif
  return at + sizeof(T);
}

// The same, appended to `out`.
template <typename T>
void append_little_endian(std::string& out, T v) {
  char bytes[sizeof(T)];
  store_little_endian(bytes, v);
  out.append(bytes, sizeof(T));
}

// The value whose little-endian bytes start `bytes` (which holds at least sizeof(T)).
template <typename T>
T load_little_endian(std::string_view bytes) {
  static_assert(std::is_arithmetic<T>::value, "a number");
  char raw[sizeof(T)];
  std::memcpy(raw, bytes.data(), sizeof(T));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  for (size_t i = 0; i < sizeof(T) / 2; ++i) std::swap(raw[i], raw[sizeof(T) - 1 - i]);
#endif
  T v;
  std::memcpy(&v, raw, sizeof(T));
  return v;
}

}  // namespace s3dest
