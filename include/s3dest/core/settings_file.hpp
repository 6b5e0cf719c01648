// Reads a file of settings (the config, a schema) whole, refusing one that is bigger than
// such a file can sensibly be before reading it: a settings file is small, and reading a
// huge one (a wrong path to a data file, a hostile file) whole would break
// memory_limit_mb before the limit is even known.
//
//   auto text = read_settings_file(path, kMaxConfigBytes, "config file", "check the path given to --config");
#pragma once

#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "s3dest/core/status.hpp"

namespace s3dest {

// Usage errors (exit 2) name the file as "`what` 'path'" and end with `hint`.
inline Result<std::string> read_settings_file(const std::string& path, size_t max_bytes, std::string_view what,
                                              std::string_view hint) {
  const std::string named = std::string(what) + " '" + path + "'";
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return usage_error("cannot open " + named + ": " + std::strerror(errno) + "; " + std::string(hint));
  struct stat st;
  if (::fstat(::fileno(file), &st) == 0 && S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > max_bytes) {
    std::fclose(file);
    return usage_error(named + " is " + std::to_string(st.st_size) + " bytes, more than a " + std::string(what) +
                       " may be (" + std::to_string(max_bytes) + "); " + std::string(hint));
  }
  std::string text;
  char buf[65536];
  size_t n;
  // A pipe or device has no size to look at first: the limit holds as it is read.
  while (text.size() <= max_bytes && (n = std::fread(buf, 1, sizeof buf, file)) > 0) text.append(buf, n);
  const bool failed = std::ferror(file) != 0;
  const int error = errno;
  std::fclose(file);
  if (failed) return usage_error("cannot read " + named + ": " + std::strerror(error) + "; " + std::string(hint));
  if (text.size() > max_bytes) {
    return usage_error(named + " is more than " + std::to_string(max_bytes) + " bytes, more than a " +
                       std::string(what) + " may be; " + std::string(hint));
  }
  return text;
}

}  // namespace s3dest
