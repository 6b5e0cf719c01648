// Random names: run ids ({{run_id}}), object ids ({{uuid}}) and temporary file names, from
// the system's entropy source (std::random_device reads getrandom on Linux). Not secrets:
// they only have to differ from every other run's.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "s3dest/core/hex.hpp"
#include "s3dest/core/civil_time.hpp"
#include "s3dest/core/time_format.hpp"

namespace s3dest {

// `digits` random lower-case hex digits.
std::string random_hex(size_t digits);

// A version 4 UUID, "3f6c0b2e-8d1a-4c7e-9b0f-2a5d6e7f8091".
std::string random_uuid();

// A run's id, unique and sortable by start time: "20261201T224412Z-5f3a9c1e" (the start
// in UTC to the second, then 32 random bits).
std::string new_run_id(int64_t start_unix_micros);
inline constexpr size_t kRunIdBytes = 25;  // every run id's length

// True for text shaped like new_run_id()'s.
bool is_run_id(std::string_view text);

// When the run began, by the clock of the machine it ran on (to the second, UTC), from its
// id; nothing for text that is not a run id, or names no real time.
std::optional<int64_t> run_start_micros(std::string_view run_id);

namespace detail {

inline uint64_t random_bits() {
  thread_local std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) ^ device();
}

}  // namespace detail

inline std::string random_hex(size_t digits) {
  std::string out;
  uint64_t bits = 0;
  for (size_t i = 0; i < digits; ++i) {
    if (i % 16 == 0) bits = detail::random_bits();
    out.push_back(hex_digit(static_cast<unsigned>(bits)));
    bits >>= 4;
  }
  return out;
}

inline std::string random_uuid() {
  std::string hex = random_hex(32);
  hex[12] = '4';                                                       // version 4
  hex[16] = "89ab"[static_cast<unsigned char>(hex[16]) % 4];           // variant 10xx
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

inline std::string new_run_id(int64_t start_unix_micros) {
  std::string stamp;
  append_timestamp(stamp, floor_div(start_unix_micros, kMicrosPerSecond) * kMicrosPerSecond);  // YYYY-MM-DDTHH:MM:SSZ
  std::string id;
  for (const char c : stamp)
    if (c != '-' && c != ':') id.push_back(c);
  return id + "-" + random_hex(8);
}

inline bool is_run_id(std::string_view text) {
  // YYYYMMDDTHHMMSSZ-xxxxxxxx
  if (text.size() != kRunIdBytes || text[8] != 'T' || text[15] != 'Z' || text[16] != '-') return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (i == 8 || i == 15 || i == 16) continue;
    const bool digit = c >= '0' && c <= '9';
    if (i < 16 ? !digit : !(digit || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

inline std::optional<int64_t> run_start_micros(std::string_view run_id) {
  if (!is_run_id(run_id)) return std::nullopt;
  return parse_time_with_format(run_id.substr(0, 16), "%Y%m%dT%H%M%SZ");
}

}  // namespace s3dest
