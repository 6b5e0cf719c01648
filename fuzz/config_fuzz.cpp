// Any bytes as a config file: a Config or a usage error (exit 2), never a crash.
#include <cstdlib>
#include <string>

#include "s3dest/destination/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto config = s3dest::parse_config(std::string(reinterpret_cast<const char*>(data), size), "fuzz.json");
  if (!config.ok() && config.status().exit_code() != 2) std::abort();
  return 0;
}
