// How memory_limit_mb is shared out, in one place. A load holds at once
//   the reader's blocks in flight          a quarter
//   partitions waiting for their writer    a quarter (beyond it they spill to disk),
//   and what the run keeps of each         shared: the bookkeeping takes it first, up to
//   partition and object it wrote          three sixteenths; the store keeps the rest
//                                          (BookkeepingMeter)
//   the open files' encoders               a quarter (parquet's unwritten row groups:
//                                          half of it)
//   uploads in flight                      the spare quarter (a local folder: the file
//                                          names of the folders it writes to)
// and bounds what a single input or reply can make any of those hold:
//   the longest input line                 1/32 (a line is held whole, with its parse)
//   the widest row                         16 columns per MiB
//   a server's reply                       an eighth, shared by the `concurrency`
//                                          replies read at once (2 to 64 MiB each)
// Bookkeeping beyond these (threads, tables, small buffers) is what README's
// "memory_limit_mb + 24 MB" bound allows for.
//
//   const MemoryBudget memory(config.memory_limit_mb);
//   PartitionStore store(memory.partition_store_bytes(), tmpdir);
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace s3dest {

class MemoryBudget {
 public:
  explicit MemoryBudget(double memory_limit_mb)
      : bytes_(static_cast<uint64_t>(memory_limit_mb * 1024 * 1024)), mib_(memory_limit_mb) {}

  uint64_t total_bytes() const { return bytes_; }
  uint64_t reader_bytes() const { return bytes_ / 4; }
  // The partition store's share while the run's bookkeeping holds `bookkeeping` bytes.
  uint64_t partition_store_bytes(uint64_t bookkeeping = 0) const {
    return bytes_ / 4 - std::min(bookkeeping, bookkeeping_bytes());
  }
  uint64_t bookkeeping_bytes() const { return bytes_ / 4 - bytes_ / 16; }
  uint64_t open_files_bytes() const { return bytes_ / 4; }
  // The most one open file may hold for itself (a codec's state), since at least one is
  // open and PartitionedWriter keeps half the open files' quarter for their fixed costs.
  uint64_t one_open_file_bytes() const { return bytes_ / 8; }
  uint64_t held_row_groups_bytes() const { return bytes_ / 8; }
  uint64_t uploads_bytes() const { return bytes_ / 4; }
  // A local folder has no uploads: the file names it keeps of the folders it writes to
  // (LocalFolderSink::list) take their quarter.
  uint64_t local_listing_bytes() const { return uploads_bytes(); }

  size_t max_line_bytes() const { return static_cast<size_t>(bytes_ / 32); }
  size_t max_columns() const { return static_cast<size_t>(mib_ * 16); }
  size_t max_reply_bytes(int concurrency) const {
    // A listing page of 1,000 keys of S3's longest (1,024 bytes) is about 1.5 MB; the XML
    // read from it takes about as much again.
    const auto share = static_cast<size_t>(bytes_ / 8 / static_cast<uint64_t>(std::max(concurrency, 1)));
    return std::clamp<size_t>(share, size_t{2} << 20, size_t{64} << 20);
  }

 private:
  uint64_t bytes_;
  double mib_;
};

}  // namespace s3dest
