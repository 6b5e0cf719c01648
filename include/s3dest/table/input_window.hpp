// A growable window over a ByteSource, in which the readers parse lines and records in
// place, and the longest line a load reads.
//
//   InputWindow window(std::move(source), options.max_line_bytes);
//   std::string_view line;
//   for (;;) {
//     S3DEST_ASSIGN_OR_RETURN(const bool more, window.next_line(line));
//     if (!more) break;
//     ...  // line views the window until the next read
//   }
//
// A reader that scans records itself parses [data() + pos(), data() + size()) and calls
// consume_to() past what it took; when a record runs past size() it calls read_more(),
// which moves the unread bytes to the front (pos() becomes 0) and appends more, growing
// the buffer for long lines up to `max_line_bytes`. Past that read_more() fails with
// line_too_long_error and over_line_limit() is true, so the reader can say where. The
// byte after the data is always '\n', so a parser never sees stale bytes past a last line
// that has no newline, and kInputPadding readable bytes follow the buffer (simdjson's).
//
// A window over_bytes() an input already in memory (a block cut from a file) parses it
// where it is, without a copy; the bytes must outlive the window. Given where its line
// breaks are (found as the block was read), next_line() does not look for them again.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "s3dest/core/byte_source.hpp"
#include "s3dest/core/status.hpp"
#include "s3dest/table/padded_bytes.hpp"

namespace s3dest {

// What a reader says of a line over `max_line_bytes`, after "file:line: ".
Status line_too_long_error(size_t max_line_bytes);

class InputWindow {
 public:
  InputWindow(std::unique_ptr<ByteSource> source, size_t max_line_bytes)
      : source_(std::move(source)), name_(source_ ? source_->name() : std::string()), max_line_bytes_(std::max<size_t>(max_line_bytes, 1)) {}
  // The whole input is `bytes` (as they are: no gzip), which the window reads where they
  // are, sealed (PaddedBytes::seal). `line_ends`: the offset of every '\n' in them, in
  // order; empty or null when not known. Both must outlive the window.
  static InputWindow over_bytes(PaddedBytes& bytes, std::string name, size_t max_line_bytes,
                                const std::vector<uint32_t>* line_ends = nullptr);

  const std::string& name() const { return name_; }
  const char* data() const { return buf_ ? buf_.get() : memory_; }
  size_t max_line_bytes() const { return max_line_bytes_; }
  // Whether the window holds the whole input (over_bytes()).
  bool whole() const { return !source_; }
  size_t pos() const { return pos_; }
  size_t size() const { return size_; }
  bool eof() const { return eof_; }
  void consume_to(size_t pos) { pos_ = pos; }
  // Whether the line being read is longer than the limit (read_more() then failed).
  bool over_line_limit() const { return size_ - pos_ > max_line_bytes_; }
  // Bytes readable from `p` on, padding included (for simdjson).
  size_t capacity_from(const char* p) const { return static_cast<size_t>(data() + capacity_ + kInputPadding - p); }

  // Reads more input; false (and eof()) when there is none.
  Result<bool> read_more();
  // Skips a UTF-8 byte-order mark at the start: editors and spreadsheets write one, and
  // it is not part of the first value.
  Status skip_utf8_bom();
  // The next line without its '\n' (a '\r' before it is kept); false at the end.
  Result<bool> next_line(std::string_view& line);

 private:
  static constexpr size_t kFirstCapacity = size_t{1} << 20;

  std::unique_ptr<ByteSource> source_;
  std::string name_;
  size_t max_line_bytes_;
  std::unique_ptr<char[]> buf_;
  const char* memory_ = nullptr;  // over_bytes(): the input, then '\n' and the padding
  const uint32_t* next_end_ = nullptr;  // over_bytes(): where the line breaks after pos_ are
  const uint32_t* ends_end_ = nullptr;
  size_t capacity_ = 0;
  size_t pos_ = 0, size_ = 0;
  bool eof_ = false;
};

// ---------------------------------------------------------------------------------------

inline Status line_too_long_error(size_t max_line_bytes) {
  return input_error("the line is longer than " + std::to_string(max_line_bytes) +
                     " bytes, the longest this load reads (it grows with memory_limit_mb); raise "
                     "memory_limit_mb, or check the data: a csv quote left open, or no line breaks at all?");
}

inline InputWindow InputWindow::over_bytes(PaddedBytes& bytes, std::string name, size_t max_line_bytes,
                                           const std::vector<uint32_t>* line_ends) {
  InputWindow window(nullptr, max_line_bytes);
  window.name_ = std::move(name);
  window.size_ = window.capacity_ = bytes.size();
  window.eof_ = true;
  bytes.seal();
  window.memory_ = bytes.data();
  if (line_ends != nullptr) {
    window.next_end_ = line_ends->data();
    window.ends_end_ = line_ends->data() + line_ends->size();
  }
  return window;
}

inline Result<bool> InputWindow::read_more() {
  if (eof_) return false;
  if (!buf_) {
    capacity_ = kFirstCapacity;
    buf_.reset(new char[capacity_ + kInputPadding]());  // zeroed: simdjson may read the padding
  }
  if (pos_ > 0) {
    std::memmove(buf_.get(), buf_.get() + pos_, size_ - pos_);
    size_ -= pos_;
    pos_ = 0;
  }
  if (over_line_limit()) return line_too_long_error(max_line_bytes_);
  if (size_ == capacity_) {  // one line fills the buffer: double it, to just past the limit
    const size_t bigger_capacity = std::min(2 * capacity_, max_line_bytes_ + 1);
    std::unique_ptr<char[]> bigger(new char[bigger_capacity + kInputPadding]());
    std::memcpy(bigger.get(), buf_.get(), size_);
    buf_ = std::move(bigger);
    capacity_ = bigger_capacity;
  }
  // A line that takes half the buffer or more: fill the buffer whole before the reader
  // scans the line again, so a long line is scanned once per doubling, not once per
  // pipe read (linear time, whatever the line's length).
  const bool long_line = size_ >= capacity_ / 2;
  size_t added = 0;
  do {
    S3DEST_ASSIGN_OR_RETURN(const size_t n, source_->read(buf_.get() + size_, capacity_ - size_));
    size_ += n;
    added += n;
    if (n == 0) eof_ = true;
  } while (long_line && !eof_ && size_ < capacity_);
  buf_[size_] = '\n';
  return added > 0;
}

inline Status InputWindow::skip_utf8_bom() {
  while (size_ - pos_ < 3 && !eof_) S3DEST_TRY(read_more().status());
  if (size_ - pos_ >= 3 && std::memcmp(data() + pos_, "\xEF\xBB\xBF", 3) == 0) pos_ += 3;
  return {};
}

inline Result<bool> InputWindow::next_line(std::string_view& line) {
  while (next_end_ != ends_end_ && *next_end_ < pos_) ++next_end_;  // before a skipped byte-order mark
  if (next_end_ != ends_end_) {
    line = std::string_view(memory_ + pos_, *next_end_ - pos_);
    pos_ = *next_end_ + 1;
    ++next_end_;
    return true;
  }
  size_t scanned = 0;  // bytes after pos_ known to hold no '\n'
  for (;;) {
    const char* start = data() ? data() + pos_ : nullptr;
    if (start != nullptr) {
      const void* nl = std::memchr(start + scanned, '\n', size_ - pos_ - scanned);
      if (nl != nullptr) {
        const char* end = static_cast<const char*>(nl);
        line = std::string_view(start, static_cast<size_t>(end - start));
        pos_ += line.size() + 1;
        return true;
      }
      scanned = size_ - pos_;
    }
    if (eof_) {
      if (pos_ == size_) return false;
      line = std::string_view(start, size_ - pos_);
      pos_ = size_;
      return true;
    }
    S3DEST_TRY(read_more().status());
  }
}

}  // namespace s3dest
