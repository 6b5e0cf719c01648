// A sink that stores nothing but measures each object exactly as it would be written, so
// --dry-run shows the keys and row counts of a real run. Given the real destination, it
// lists what is there (read only), so the run can say what it would replace and remove.
#pragma once

#include "s3dest/core/object_sink.hpp"

namespace s3dest {

class DryRunSink final : public ObjectSink {
 public:
  // `destination`: where the real run would write, for list() only; null: nothing exists.
  explicit DryRunSink(ObjectSink* destination = nullptr) : destination_(destination) {}

  Result<std::unique_ptr<ObjectWriter>> create(const NewObject& object) override {
    return std::unique_ptr<ObjectWriter>(std::make_unique<Writer>(object));
  }
  Status list(const std::string& prefix, const KeyVisitor& visit) override {
    return destination_ ? destination_->list(prefix, visit) : Status();
  }
  Result<std::vector<std::string>> list_first(const std::string& prefix, size_t limit) override {
    if (destination_) return destination_->list_first(prefix, limit);
    return std::vector<std::string>();
  }
  RollbackReport rollback() override { return {}; }
  Status remove(const std::string&) override { return {}; }
  std::string describe(const std::string& key) const override { return key; }
  size_t max_name_bytes() const override { return destination_ ? destination_->max_name_bytes() : SIZE_MAX; }
  bool keeps_properties() const override { return !destination_ || destination_->keeps_properties(); }

 private:
  class Writer final : public ObjectWriter {
   public:
    explicit Writer(const NewObject& object) : object_(object) {}
    Status write(std::string_view bytes) override {
      size_ += bytes.size();
      return {};
    }
    uint64_t size() const override { return size_; }
    Result<ObjectInfo> commit() override {
      ObjectInfo info;
      info.key = object_.key;
      info.bytes = size_;
      info.properties = std::make_shared<const ObjectProperties>(object_.properties);  // for --verbose
      S3DEST_ASSIGN_OR_RETURN(info.replaced, check_prior(object_, object_.key));  // "keep" fails as a run would
      return info;
    }
    void abort() override {}

   private:
    NewObject object_;
    uint64_t size_ = 0;
  };

  ObjectSink* destination_;
};

}  // namespace s3dest
