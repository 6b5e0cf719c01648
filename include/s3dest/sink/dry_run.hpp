// A sink that stores nothing but measures each object exactly as it would be written,
// so --dry-run shows the keys and row counts of a real run.
#pragma once

#include "s3dest/core/object_sink.hpp"

namespace s3dest {

class DryRunSink final : public ObjectSink {
 public:
  Result<std::unique_ptr<ObjectWriter>> create(const std::string& key) override {
    return std::unique_ptr<ObjectWriter>(std::make_unique<Writer>(key));
  }
  Status remove(const std::string&) override { return {}; }
  std::string describe(const std::string& key) const override { return key; }

 private:
  class Writer final : public ObjectWriter {
   public:
    explicit Writer(std::string key) : key_(std::move(key)) {}
    Status write(std::string_view bytes) override {
      size_ += bytes.size();
      return {};
    }
    uint64_t size() const override { return size_; }
    Result<ObjectInfo> commit() override {
      ObjectInfo info;
      info.key = key_;
      info.bytes = size_;
      return info;
    }
    void abort() override {}

   private:
    std::string key_;
    uint64_t size_ = 0;
  };
};

}  // namespace s3dest
