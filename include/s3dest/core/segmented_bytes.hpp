// Bytes appended in segments that are never moved: what a parquet column chunk collects
// page by page until its row group is written, and the records a partition waits with
// in the PartitionStore. A std::string grown by doubling copied its bytes again at every
// doubling and held up to twice what it kept, each new buffer faulted in afresh (a
// parquet load of one stream: 28,600 page faults and 88-93 MB at its peak; 23,000 and
// 84 MB in segments). Segments start small (a column chunk of a small file holds a few
// KiB; a partition may hold one record) and double up to 64 KiB, below the size malloc
// serves from fresh mappings, so memory freed by one row group is reused by the next.
//
//   SegmentedBytes pages;
//   pages.append(header);
//   pages.append(compressed_page);
//   S3DEST_TRY(pages.write_to(file));  // in the order appended
//   pages.clear();                     // and its memory freed
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "s3dest/core/byte_sink.hpp"
#include "s3dest/core/status.hpp"

namespace s3dest {

class SegmentedBytes {
 public:
  static constexpr size_t kFirstSegmentBytes = 4 << 10;
  static constexpr size_t kLargestSegmentBytes = 64 << 10;

  // `first_segment_bytes` (at most kLargestSegmentBytes): the smallest segment.
  explicit SegmentedBytes(size_t first_segment_bytes = kFirstSegmentBytes)
      : first_segment_bytes_(std::min(first_segment_bytes, kLargestSegmentBytes)) {}

  void append(std::string_view bytes);
  uint64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Bytes allocated, the segments' list included.
  uint64_t memory() const { return capacity_ + segments_.capacity() * sizeof(Segment); }
  Status write_to(ByteSink& out) const;
  // Calls `visit(std::string_view) -> Status` with each segment's bytes, in order, until
  // one fails.
  template <class Visit>
  Status visit_segments(Visit&& visit) const;
  // Empties it and frees its memory.
  void clear() {
    std::vector<Segment>().swap(segments_);
    size_ = capacity_ = 0;
  }

 private:
  struct Segment {
    std::unique_ptr<char[]> bytes;
    size_t size = 0, capacity = 0;
  };
  void add_segment(size_t wanted);

  size_t first_segment_bytes_;
  std::vector<Segment> segments_;
  uint64_t size_ = 0, capacity_ = 0;
};

// ---------------------------------------------------------------------------------------

inline void SegmentedBytes::append(std::string_view bytes) {
  while (!bytes.empty()) {
    if (segments_.empty() || segments_.back().size == segments_.back().capacity) add_segment(bytes.size());
    Segment& last = segments_.back();
    const size_t n = std::min(bytes.size(), last.capacity - last.size);
    std::memcpy(last.bytes.get() + last.size, bytes.data(), n);
    last.size += n;
    size_ += n;
    bytes.remove_prefix(n);
  }
}

inline void SegmentedBytes::add_segment(size_t wanted) {
  const size_t doubled = segments_.empty() ? first_segment_bytes_ : 2 * segments_.back().capacity;
  const size_t capacity = std::min(kLargestSegmentBytes, std::max({first_segment_bytes_, doubled, wanted}));
  segments_.push_back(Segment{std::unique_ptr<char[]>(new char[capacity]), 0, capacity});
  capacity_ += capacity;
}

inline Status SegmentedBytes::write_to(ByteSink& out) const {
  return visit_segments([&out](std::string_view bytes) { return out.write(bytes); });
}

template <class Visit>
Status SegmentedBytes::visit_segments(Visit&& visit) const {
  for (const Segment& segment : segments_) S3DEST_TRY(visit(std::string_view(segment.bytes.get(), segment.size)));
  return {};
}

}  // namespace s3dest
