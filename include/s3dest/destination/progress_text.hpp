// A load's progress (LoadProgress) as one line of text, for a terminal that redraws it:
//
//   42% of 1.07 GB read, 1 min 23 s left; 3,912,004 rows at 351,220 rows/s; 12 objects, 120.5 MB uploaded, 4 in flight
//   3,912,004 rows read at 351,220 rows/s; 12 objects, 120.5 MB written
//
// The share and the time left need the inputs' size (files: yes; standard input: no);
// the time left is the time so far scaled by what is still to read, once a second has
// passed. `uploading`: the objects go to S3, whose bytes the server has taken and whose
// requests are on their way are named.
#pragma once

#include <cstdint>
#include <cstdio>
#include <iterator>
#include <string>

#include "s3dest/destination/load.hpp"

namespace s3dest {

std::string progress_text(const LoadProgress& progress, double elapsed_seconds, bool uploading);

// "1,234,567"
std::string grouped_number(uint64_t n);
// "950 B", "12.3 kB", "120.5 MB", "1.07 GB": decimal units, as the sizes S3 bills.
std::string byte_size_text(uint64_t bytes);
// "45 s", "1 min 23 s", "2 h 05 min"
std::string duration_text(double seconds);

// ---------------------------------------------------------------------------------------

inline std::string grouped_number(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

inline std::string byte_size_text(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"kB", "MB", "GB", "TB", "PB"};
  if (bytes < 1000) return std::to_string(bytes) + " B";
  double value = static_cast<double>(bytes) / 1000;
  size_t unit = 0;
  while (value >= 1000 && unit + 1 < std::size(kUnits)) {
    value /= 1000;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, value < 10 ? "%.2f %s" : "%.1f %s", value, kUnits[unit]);
  return text;
}

inline std::string duration_text(double seconds) {
  const uint64_t s = seconds <= 0 ? 0 : static_cast<uint64_t>(seconds + 0.5);
  char text[48];
  if (s < 60) std::snprintf(text, sizeof text, "%llu s", static_cast<unsigned long long>(s));
  else if (s < 3600)
    std::snprintf(text, sizeof text, "%llu min %02llu s", static_cast<unsigned long long>(s / 60),
                  static_cast<unsigned long long>(s % 60));
  else
    std::snprintf(text, sizeof text, "%llu h %02llu min", static_cast<unsigned long long>(s / 3600),
                  static_cast<unsigned long long>(s / 60 % 60));
  return text;
}

inline std::string progress_text(const LoadProgress& progress, double elapsed_seconds, bool uploading) {
  const uint64_t rows_per_second =
      elapsed_seconds > 0 ? static_cast<uint64_t>(static_cast<double>(progress.rows_read) / elapsed_seconds) : 0;
  std::string text;
  const uint64_t total = progress.input_bytes_total, read = progress.input_bytes_read;
  if (total > 0) {
    const uint64_t percent = read >= total ? 100 : read * 100 / total;
    text = std::to_string(percent) + "% of " + byte_size_text(total) + " read";
    // Too early to tell before a second, or before anything was read.
    if (elapsed_seconds >= 1 && read > 0 && read < total)
      text += ", " + duration_text(elapsed_seconds * static_cast<double>(total - read) / static_cast<double>(read)) +
              " left";
    text += "; " + grouped_number(progress.rows_read) + " rows";
  } else {
    text = grouped_number(progress.rows_read) + " rows read";
  }
  text += " at " + grouped_number(rows_per_second) + " rows/s";
  const SinkProgress& objects = progress.objects;
  text += "; " + grouped_number(objects.objects_committed) + (objects.objects_committed == 1 ? " object, " : " objects, ");
  text += byte_size_text(objects.bytes_stored) + (uploading ? " uploaded" : " written");
  if (uploading) text += ", " + std::to_string(objects.uploads_in_flight) + " in flight";
  return text;
}

}  // namespace s3dest
