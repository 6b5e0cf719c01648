// The HTTP transport of the commands that reach S3 (load, check, cleanup).
#pragma once

#include <cstdio>
#include <memory>
#include <string_view>

#include "s3dest/destination/s3_connection.hpp"

namespace s3dest::tool {

// The HTTP transport (destination/s3_connection.hpp); with --verbose every request is
// reported on stderr (method, URL without query, status, time: never a header or a body).
inline std::shared_ptr<http::HttpSender> transport(const Config& config, bool verbose) {
  if (!verbose) return http_sender_for_config(config);
  return http_sender_for_config(config, [](std::string_view line) {
    std::fprintf(stderr, "s3dest: %.*s\n", static_cast<int>(line.size()), line.data());
  });
}

}  // namespace s3dest::tool
