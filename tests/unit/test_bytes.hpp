// Inputs for the compressor tests: csv-like lines, which compress well, and random bytes,
// which do not (the size bound's worst case).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace test_helpers {

// `n` lines like "2026-01-17,acc3,campaign 919".
inline std::string text_lines(int n) {
  std::string out;
  for (int i = 0; i < n; ++i)
    out += "2026-01-" + std::to_string(10 + i % 20) + ",acc" + std::to_string(i % 7) + ",campaign " +
           std::to_string(i * 7919 % 1000) + "\n";
  return out;
}

// Such lines, cut to exactly `bytes`.
inline std::string text_bytes(size_t bytes) {
  std::string out;
  for (int lines = 1024; out.size() < bytes; lines *= 2) out = text_lines(lines);
  out.resize(bytes);
  return out;
}

// xorshift64: the same bytes for the same seed.
inline std::string random_bytes(size_t n, uint64_t seed = 88172645463325252ull) {
  std::string out(n, '\0');
  for (char& c : out) {
    seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
    c = static_cast<char>(seed);
  }
  return out;
}

}  // namespace test_helpers
