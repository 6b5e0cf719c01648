// CRC-32C (Castagnoli), as S3's x-amz-checksum-crc32c uses: the SSE4.2 instruction when
// the processor has it, a table otherwise. Incremental: crc32c(crc32c(0, a), b) == crc32c(0, ab).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace s3dest {

uint32_t crc32c(uint32_t crc, std::string_view bytes);

// The CRC-32C of A followed by B from the CRCs of A and B and B's length, without the
// bytes: parts checksummed on different threads make the whole object's.
uint32_t crc32c_combine(uint32_t crc_a, uint32_t crc_b, uint64_t length_b);

namespace detail {

inline const std::array<uint32_t, 256>& crc32c_table() {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
      t[i] = c;
    }
    return t;
  }();
  return table;
}

inline uint32_t crc32c_portable(uint32_t crc, const unsigned char* p, size_t n) {
  const auto& table = crc32c_table();
  for (size_t i = 0; i < n; ++i) crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
  return crc;
}

// Polynomials over GF(2) modulo the CRC's, in its reflected order (bit 31 is x^0).
inline constexpr uint32_t kCrc32cReflected = 0x82F63B78u;

inline uint32_t multiply_mod_crc32c(uint32_t a, uint32_t b) {
  uint32_t product = 0;
  for (uint32_t term = 1u << 31; term != 0; term >>= 1) {
    if (a & term) product ^= b;
    b = (b & 1u) ? (b >> 1) ^ kCrc32cReflected : b >> 1;  // b times x
  }
  return product;
}

// x^(8 * bytes) modulo the polynomial: what appending `bytes` zero bytes multiplies by.
inline uint32_t crc32c_shift(uint64_t bytes) {
  static const std::array<uint32_t, 64> powers = [] {  // x^(2^k)
    std::array<uint32_t, 64> p{};
    p[0] = 1u << 30;  // x^1
    for (size_t k = 1; k < p.size(); ++k) p[k] = multiply_mod_crc32c(p[k - 1], p[k - 1]);
    return p;
  }();
  uint32_t result = 1u << 31;  // x^0
  size_t k = 3;                // 8 * bytes: start at x^(2^3)
  for (; bytes != 0 && k < powers.size(); bytes >>= 1, ++k)
    if (bytes & 1u) result = multiply_mod_crc32c(powers[k], result);
  return result;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
// The instruction takes three cycles but starts one a cycle: long inputs run as three
// streams of kLane bytes at once, joined by shifting the first two past the others.
__attribute__((target("sse4.2"))) inline uint32_t crc32c_sse42(uint32_t crc, const unsigned char* p,
                                                                size_t n) {
  constexpr size_t kLane = 8192;
  uint64_t c = crc;
  if (n >= 3 * kLane) {
    static const uint32_t past_one_lane = crc32c_shift(kLane), past_two_lanes = crc32c_shift(2 * kLane);
    for (; n >= 3 * kLane; n -= 3 * kLane, p += 3 * kLane) {
      uint64_t first = c, second = 0, third = 0;
      for (size_t i = 0; i < kLane; i += 8) {
        uint64_t words[3];
        std::memcpy(&words[0], p + i, 8);
        std::memcpy(&words[1], p + kLane + i, 8);
        std::memcpy(&words[2], p + 2 * kLane + i, 8);
        first = __builtin_ia32_crc32di(first, words[0]);
        second = __builtin_ia32_crc32di(second, words[1]);
        third = __builtin_ia32_crc32di(third, words[2]);
      }
      c = multiply_mod_crc32c(past_two_lanes, static_cast<uint32_t>(first)) ^
          multiply_mod_crc32c(past_one_lane, static_cast<uint32_t>(second)) ^ static_cast<uint32_t>(third);
    }
  }
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    c = __builtin_ia32_crc32di(c, word);
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  for (; n > 0; --n, ++p) c32 = __builtin_ia32_crc32qi(c32, *p);
  return c32;
}
inline bool has_sse42() {
  static const bool supported = __builtin_cpu_supports("sse4.2");
  return supported;
}
#endif

}  // namespace detail

inline uint32_t crc32c(uint32_t crc, std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  crc = ~crc;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  if (detail::has_sse42()) return ~detail::crc32c_sse42(crc, p, bytes.size());
#endif
  return ~detail::crc32c_portable(crc, p, bytes.size());
}

inline uint32_t crc32c_combine(uint32_t crc_a, uint32_t crc_b, uint64_t length_b) {
  // The initial and final inversions cancel out: only A's CRC moves past B's bytes.
  return detail::multiply_mod_crc32c(detail::crc32c_shift(length_b), crc_a) ^ crc_b;
}

}  // namespace s3dest
