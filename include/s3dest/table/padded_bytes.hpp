// Input bytes held in memory for a parser, with kInputPadding readable bytes after them.
// Unlike a std::string it grows without zeroing what it adds, so a block of a file is
// read straight into it; and it keeps its buffer when cleared, so the next block reuses
// it (record_blocks.hpp, background_reader.hpp): a fresh 4 MiB buffer a block cost a
// memset and a page fault every 4 KiB.
//
//   PaddedBytes block;
//   char* at = block.grow(4 << 20);
//   S3DEST_ASSIGN_OR_RETURN(const size_t n, source.read(at, 4 << 20));
//   block.shrink_to(block.size() - (4 << 20) + n);
//   InputWindow window = InputWindow::over_bytes(block, name, max_line_bytes);
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <utility>

namespace s3dest {

// Readable bytes kept past an input's bytes: simdjson reads up to 64 bytes ahead.
inline constexpr size_t kInputPadding = 64;

class PaddedBytes {
 public:
  const char* data() const { return data_.get(); }
  char* data() { return data_.get(); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Bytes it holds without growing, the padding not counted.
  size_t capacity() const { return capacity_; }

  // Adds `n` bytes, not set, and returns where they start.
  char* grow(size_t n);
  // Makes room for `n` bytes in all, so that growing to them moves nothing.
  void reserve(size_t n);
  // Keeps the first `n` bytes (n <= size()).
  void shrink_to(size_t n) { size_ = std::min(n, size_); }
  void clear() { size_ = 0; }
  void append(const char* bytes, size_t n) {
    if (n > 0) std::memcpy(grow(n), bytes, n);
  }
  // Writes '\n' and zeros into the padding, so a parser never reads stale bytes past a
  // last line without a line break. After it the bytes are ready to parse.
  void seal();

 private:
  std::unique_ptr<char[]> data_;  // capacity_ bytes, then the padding
  size_t size_ = 0, capacity_ = 0;
};

// ---------------------------------------------------------------------------------------

inline void PaddedBytes::reserve(size_t n) {
  if (data_ && n <= capacity_) return;
  n = std::max(n, size_);  // (it is: size_ <= capacity_ < n; said for the compiler's overflow check)
  std::unique_ptr<char[]> bigger(new char[n + kInputPadding]);
  if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
  data_ = std::move(bigger);
  capacity_ = n;
}

inline char* PaddedBytes::grow(size_t n) {
  if (!data_ || capacity_ - size_ < n) reserve(std::max(size_ + n, 2 * capacity_));
  char* at = data_.get() + size_;
  size_ += n;
  return at;
}

inline void PaddedBytes::seal() {
  grow(0);  // a buffer, if there was none
  char* end = data_.get() + size_;
  end[0] = '\n';
  std::memset(end + 1, 0, kInputPadding - 1);
}

}  // namespace s3dest
