// What a load keeps of its partitions and objects until it ends, held to memory_limit_mb.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "s3dest/core/status.hpp"
#include "s3dest/destination/memory_budget.hpp"
#include "s3dest/layout/partition_store.hpp"

namespace s3dest {

// Counts what a run keeps of each partition and object until its end (keys, sizes,
// checksums, each partition's listing and key pattern: for the report, the manifest,
// publishing and undoing the run) against its share of memory_limit_mb, so that a load of
// very many objects stops with a message instead of passing the limit. It takes the
// partition store's memory first: the store's budget shrinks as it grows.
//
//   BookkeepingMeter bookkeeping(memory, store);
//   S3DEST_TRY(bookkeeping.add_partition());
//   S3DEST_TRY(bookkeeping.add_object(object.key));
class BookkeepingMeter {
 public:
  // Measured with heaptrack and peak RSS at 15,000 to 60,000 partitions of an object each
  // into a local folder: 1.1-1.2 KB a partition and its object, with keys of 33 bytes.
  // An object's key is held about four times (the report, the committed list, the sink's
  // staging, a folder's path).
  static constexpr uint64_t kPartitionBytes = 512;
  static uint64_t object_bytes(size_t key_bytes) { return 512 + 4 * static_cast<uint64_t>(key_bytes); }

  BookkeepingMeter(const MemoryBudget& budget, PartitionStore& store) : budget_(budget), store_(store) {}

  // One more partition, or object named `key`; a usage error once the bookkeeping passes
  // its share.
  Status add_partition() {
    ++partitions_;
    return add(kPartitionBytes);
  }
  Status add_object(std::string_view key) {
    ++objects_;
    return add(object_bytes(key.size()));
  }
  uint64_t bytes() const { return bytes_; }

 private:
  Status add(uint64_t bytes);

  const MemoryBudget& budget_;
  PartitionStore& store_;
  uint64_t partitions_ = 0;
  uint64_t objects_ = 0;
  uint64_t bytes_ = 0;
};

inline Status BookkeepingMeter::add(uint64_t bytes) {
  bytes_ += bytes;
  store_.set_memory_budget(budget_.partition_store_bytes(bytes_));
  if (bytes_ <= budget_.bookkeeping_bytes()) return {};
  // Room for twice as much: the share is 3/16 of the limit.
  constexpr uint64_t kMiB = uint64_t{1} << 20;
  const uint64_t enough_mib = (2 * bytes_ * 16 / 3 + kMiB - 1) / kMiB;
  return usage_error("this run has come to " + std::to_string(partitions_) + " partitions and " +
                     std::to_string(objects_) + " objects, whose bookkeeping (about 1 KiB each, kept until the run "
                     "ends for the report, the manifest and undoing the run) fills the " +
                     std::to_string(budget_.bookkeeping_bytes() / kMiB) + " MiB that memory_limit_mb " +
                     std::to_string(budget_.total_bytes() / kMiB) + " gives it: raise memory_limit_mb to " +
                     std::to_string(enough_mib) +
                     " (room for twice as many), or load the input in parts (fewer days or accounts a run)");
}

}  // namespace s3dest
