// Eight bytes of text at a time in a 64-bit word (SWAR): where a per-byte loop or a call
// per short field costs more than the bytes. Each test sets the high bit of the bytes
// that match: a word with none set has none, and on a little-endian machine the lowest
// set bit marks the first match (bits after a true one may be false matches).
//
//   const uint64_t word = load_word(text + i);
//   if (bytes_equal(word, '"') | bytes_below(word, 0x20)) ...  // a quote or a control byte
#pragma once

#include <cstdint>
#include <cstring>

namespace s3dest {

inline constexpr uint64_t kByteOnes = 0x0101010101010101ull;
inline constexpr uint64_t kByteHighs = 0x8080808080808080ull;

inline uint64_t load_word(const char* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof word);
  return word;
}

inline uint64_t bytes_equal(uint64_t word, unsigned char byte) {
  const uint64_t x = word ^ (kByteOnes * byte);
  return (x - kByteOnes) & ~x & kByteHighs;
}

// Every byte equal to `byte` and no other, for a loop that visits each match in a word
// (bytes_equal may mark bytes after a true match).
inline uint64_t bytes_equal_exactly(uint64_t word, unsigned char byte) {
  const uint64_t x = word ^ (kByteOnes * byte);  // 0 where the byte matches
  // Each byte's high bit set where x's byte is not 0, with no carry into the next byte.
  const uint64_t nonzero = ((x & ~kByteHighs) + ~kByteHighs) | x;
  return ~nonzero & kByteHighs;
}

// Bytes below `limit`, which is at most 128.
inline uint64_t bytes_below(uint64_t word, unsigned char limit) {
  return (word - kByteOnes * limit) & ~word & kByteHighs;
}

}  // namespace s3dest
