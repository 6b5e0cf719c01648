// Where finished objects go, one key at a time: a local folder laid out like the bucket,
// or S3. An object appears complete on commit() or not at all.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "s3dest/core/byte_sink.hpp"
#include "s3dest/core/status.hpp"

namespace s3dest {

struct ObjectInfo {
  std::string key;
  uint64_t bytes = 0;
  std::string etag;      // as S3 reports it, quotes dropped; empty where there is no S3
  std::string checksum;  // "crc32c:<base64>" (or crc32/md5), empty with checksum "none"
};

class ObjectWriter : public ByteSink {
 public:
  // Makes the object visible under its key, whole.
  virtual Result<ObjectInfo> commit() = 0;
  // Drops everything written; nothing appears. Safe to call after a failure.
  virtual void abort() = 0;
};

class ObjectSink {
 public:
  virtual ~ObjectSink() = default;
  virtual Result<std::unique_ptr<ObjectWriter>> create(const std::string& key) = 0;
  // Deletes a committed object (to undo a failed run).
  virtual Status remove(const std::string& key) = 0;
  // Where a key ends up, for messages: "out/a/b.csv" or "s3://bucket/a/b.csv".
  virtual std::string describe(const std::string& key) const = 0;
  // Memory one open object's writer holds (an upload's part buffer).
  virtual uint64_t open_object_memory() const { return 0; }
};

}  // namespace s3dest
