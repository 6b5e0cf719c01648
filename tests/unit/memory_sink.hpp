// An ObjectSink that keeps objects in memory by key, as a bucket would (visible at
// commit), with the whole sink contract: list, rollback of the run's new objects, remove.
// A sink serves one run: give each run a sink of its own over the same bucket.
//
//   test_helpers::MemoryBucket bucket;
//   test_helpers::MemorySink first(bucket), second(bucket);
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "s3dest/core/object_sink.hpp"

namespace test_helpers {

// Key -> bytes.
using MemoryBucket = std::map<std::string, std::string>;

class MemorySink final : public s3dest::ObjectSink {
 public:
  MemorySink() : objects(own_) {}
  explicit MemorySink(MemoryBucket& bucket) : objects(bucket) {}
  // A sink that may have at most `max_open_objects` objects open at once.
  explicit MemorySink(size_t max_open_objects) : objects(own_), max_open(max_open_objects) {}

  MemoryBucket& objects;
  std::vector<std::string> listed_prefixes;
  size_t max_open = SIZE_MAX;  // what max_open_objects() says
  size_t open_now = 0;         // objects created and not yet committed or dropped
  size_t most_open = 0;        // the most open at once (set it to 0 to start counting again)

  s3dest::Result<std::unique_ptr<s3dest::ObjectWriter>> create(const s3dest::NewObject& object) override {
    return std::unique_ptr<s3dest::ObjectWriter>(std::make_unique<Writer>(*this, object));
  }
  size_t max_open_objects() const override { return max_open; }
  s3dest::Status list(const std::string& prefix, const s3dest::KeyVisitor& visit) override {
    std::lock_guard<std::mutex> lock(list_mutex_);  // called from several threads
    listed_prefixes.push_back(prefix);
    for (auto it = objects.lower_bound(prefix); it != objects.end() && it->first.rfind(prefix, 0) == 0; ++it)
      S3DEST_TRY(visit(it->first));
    return {};
  }
  s3dest::RollbackReport rollback() override {
    s3dest::RollbackReport report;
    for (const auto& [key, replaced] : committed_) {
      if (replaced) {
        report.replaced.push_back(describe(key));
      } else {
        objects.erase(key);
        ++report.removed;
      }
    }
    committed_.clear();
    return report;
  }
  s3dest::Status remove(const std::string& key) override {
    objects.erase(key);
    return {};
  }
  std::string describe(const std::string& key) const override { return "mem://" + key; }

 private:
  class Writer final : public s3dest::ObjectWriter {
   public:
    Writer(MemorySink& sink, s3dest::NewObject object) : sink_(sink), object_(std::move(object)) {
      sink_.most_open = std::max(sink_.most_open, ++sink_.open_now);
    }
    ~Writer() override { --sink_.open_now; }
    s3dest::Status write(std::string_view bytes) override {
      data_.append(bytes);
      return {};
    }
    uint64_t size() const override { return data_.size(); }
    s3dest::Result<s3dest::ObjectInfo> commit() override {
      s3dest::ObjectInfo info;
      info.key = object_.key;
      info.bytes = data_.size();
      S3DEST_TRY(s3dest::check_prior(object_, sink_.describe(object_.key)).status());  // as the listing found it
      info.replaced = sink_.objects.count(object_.key) > 0;
      sink_.objects[object_.key] = data_;
      sink_.committed_.emplace_back(object_.key, info.replaced);
      return info;
    }
    void abort() override {}

   private:
    MemorySink& sink_;
    s3dest::NewObject object_;
    std::string data_;
  };

  MemoryBucket own_;
  std::mutex list_mutex_;
  std::vector<std::pair<std::string, bool>> committed_;  // key, replaced
};

}  // namespace test_helpers
