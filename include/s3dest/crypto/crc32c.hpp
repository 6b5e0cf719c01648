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

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("sse4.2"))) inline uint32_t crc32c_sse42(uint32_t crc, const unsigned char* p,
                                                                size_t n) {
  uint64_t c = crc;
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

}  // namespace s3dest
