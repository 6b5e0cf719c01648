// Shared by the fuzz targets: the fuzzer's bytes as an input source.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "s3dest/core/byte_source.hpp"

inline std::unique_ptr<s3dest::ByteSource> fuzz_source(const uint8_t* data, size_t size) {
  return s3dest::ByteSource::from_string(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
}
