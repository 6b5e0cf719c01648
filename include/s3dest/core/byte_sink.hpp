// Where encoders put their bytes. A sink knows nothing of formats; an encoder knows
// nothing of where its bytes end up (a file, a multipart upload, memory).
#pragma once

#include <cstddef>
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

// Gathers small writes into pieces for `out`, where each write costs a system call (a
// local file): a parquet row group of a small file is dozens of page headers and pages of
// a few KiB each. Bytes of `direct_bytes` or more at once go straight through (after what
// was gathered before them); the rest is copied into a buffer of up to `piece_bytes`.
// flush() once done: what is still gathered is otherwise lost.
//
//   GatheringSink gathered(file, 64 << 10, 16 << 10);
//   for (const auto& page : pages) S3DEST_TRY(gathered.write(page));
//   S3DEST_TRY(gathered.flush());
class GatheringSink final : public ByteSink {
 public:
  GatheringSink(ByteSink& out, size_t piece_bytes, size_t direct_bytes)
      : out_(out), piece_bytes_(piece_bytes), direct_bytes_(direct_bytes) {}

  Status write(std::string_view bytes) override {
    if (bytes.size() >= direct_bytes_) {
      S3DEST_TRY(flush());
      return out_.write(bytes);
    }
    if (buffer_.size() + bytes.size() > piece_bytes_) S3DEST_TRY(flush());
    if (buffer_.capacity() < piece_bytes_) buffer_.reserve(piece_bytes_);
    buffer_.append(bytes);
    return {};
  }
  Status flush() {
    if (buffer_.empty()) return {};
    const Status written = out_.write(buffer_);
    buffer_.clear();
    return written;
  }
  uint64_t size() const override { return out_.size() + buffer_.size(); }

 private:
  ByteSink& out_;
  size_t piece_bytes_, direct_bytes_;
  std::string buffer_;
};

}  // namespace s3dest
