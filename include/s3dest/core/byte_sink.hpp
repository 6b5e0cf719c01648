// Where encoders put their bytes. A sink knows nothing of formats; an encoder knows
// nothing of where its bytes end up (a file, a multipart upload, memory).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "s3dest/core/status.hpp"

namespace s3dest {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status write(std::string_view bytes) = 0;
  // Bytes accepted so far.
  virtual uint64_t size() const = 0;
};

// Collects everything in memory; for tests and small objects.
class StringSink final : public ByteSink {
 public:
  Status write(std::string_view bytes) override {
    data_.append(bytes);
    return {};
  }
  uint64_t size() const override { return data_.size(); }
  const std::string& data() const { return data_; }
  std::string take() { return std::move(data_); }

 private:
  std::string data_;
};

}  // namespace s3dest
