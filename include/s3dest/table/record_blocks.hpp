// Cuts an input file into blocks of whole records, which several threads then parse at
// once (background_reader.hpp): NDJSON at line breaks, csv at the line breaks that end
// records (CsvRecordScanner; a quoted field may hold line breaks). Each block knows the
// line it starts at, so the rows it holds report the file's line numbers, and a csv block
// past the header row carries the header's fields. A block parses to the rows, and the
// errors, that reading the whole file row by row gives at those lines.
//
//   RecordBlocks<CsvRecordScanner> blocks(*source, options, 4 << 20);
//   RecordBlock block;  // its buffer is reused block after block
//   for (;;) {
//     S3DEST_ASSIGN_OR_RETURN(const bool more, blocks.next(block));
//     if (!more) break;
//     S3DEST_ASSIGN_OR_RETURN(auto reader, open_block_reader(block, InputFormat::csv, options));
//     ...  // reader->next(row) as for the whole file, while `block` lives
//   }
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "s3dest/core/byte_source.hpp"
#include "s3dest/core/status.hpp"
#include "s3dest/table/csv_reader.hpp"
#include "s3dest/table/csv_record_scanner.hpp"
#include "s3dest/table/input_window.hpp"
#include "s3dest/table/open_row_reader.hpp"
#include "s3dest/table/padded_bytes.hpp"
#include "s3dest/table/row_reader.hpp"

namespace s3dest {

struct RecordBlock {
  std::string file;
  PaddedBytes bytes;
  uint64_t first_line_offset = 0;  // line breaks before the block
  uint64_t longest_record = 0;     // bytes, its line break included
  // csv: the header row's fields, for a block past it; empty for a block that starts with
  // it (or with the blank lines before it).
  std::vector<std::string> csv_header;
  // NDJSON: the offset in `bytes` of each line break, found as the block was read, so
  // that its parser need not look for them again. Empty when not known (csv, and blocks
  // past 4 GiB).
  std::vector<uint32_t> line_ends;
};

// Where NDJSON lines end, as CsvRecordScanner tells where csv records end.
class LineScanner {
 public:
  // The line breaks scanned from now on are a block's that starts `block_start` bytes
  // into the input; take_ends() hands over their offsets in it.
  void begin_block(uint64_t block_start) {
    block_start_ = block_start;
    ends_.clear();
    ends_known_ = true;
  }
  // Swaps them into `ends`: empty if the block passed 4 GiB (not known).
  void take_ends(std::vector<uint32_t>& ends) {
    if (!ends_known_) ends_.clear();
    ends.swap(ends_);
  }
  void scan(const char* data, size_t size);
  void skip(size_t size) { scanned_ += size; }
  uint64_t last_end() const { return last_end_; }
  uint64_t lines_to_last_end() const { return lines_; }
  uint64_t take_longest() { return std::exchange(longest_, 0); }
  bool malformed() const { return false; }

 private:
  uint64_t scanned_ = 0, last_end_ = 0, lines_ = 0, longest_ = 0;
  uint64_t block_start_ = 0;
  std::vector<uint32_t> ends_;  // of the line breaks since block_start_
  bool ends_known_ = true;
};

// Scanner: CsvRecordScanner for csv, LineScanner for NDJSON.
template <class Scanner>
class RecordBlocks {
 public:
  static constexpr bool kCsv = std::is_same_v<Scanner, CsvRecordScanner>;

  // Blocks of `block_bytes` or a little more (up to the next record's end), the first
  // ones smaller (kFirstBlockBytes). A record over options.max_line_bytes is refused as
  // the readers refuse it.
  RecordBlocks(ByteSource& source, const ReaderOptions& options, size_t block_bytes);

  // The next block; false after the last one.
  Result<bool> next(RecordBlock& block);

  // A block is read in pieces of this size, each scanned as it arrives, while it is in
  // the core's cache: a scan after one read of 4 MiB went to memory for its bytes (the
  // reading thread's scan was 4% of a json load's CPU; it is a quarter of that now).
  static constexpr size_t kReadBytes = 64 * 1024;
  // The first block is this big and each next one twice the one before, up to the block
  // size: the loading thread waits for the first block to be read and parsed whole, and
  // one of 4 MiB, in fresh memory, kept it idle for the first 20-25 ms of every load
  // (a load of 20,000 rows took 40 ms, and takes 33 ms so).
  static constexpr size_t kFirstBlockBytes = 64 * 1024;

 private:
  Status start();
  Result<std::vector<std::string>> csv_header_in(RecordBlock& block) const;

  ByteSource& source_;
  const ReaderOptions& options_;
  const size_t block_bytes_;
  size_t next_block_bytes_;  // block_bytes_ once the first blocks have ramped up to it
  Scanner scanner_;
  PaddedBytes carry_;          // the start of a record cut off by the previous block
  uint64_t block_start_ = 0;   // the offset in the file of the next block
  uint64_t lines_before_ = 0;  // line breaks before it
  std::vector<std::string> csv_header_;
  bool started_ = false, end_ = false, done_ = false;
};

// A reader of the rows in `block`, cut from a file of `format` read with `options`. It
// parses the block where it is: `block` must outlive it.
Result<std::unique_ptr<RowReader>> open_block_reader(RecordBlock& block, InputFormat format, ReaderOptions options);

// ---------------------------------------------------------------------------------------

namespace detail {

template <class Scanner>
Scanner scanner_for(const ReaderOptions& options) {
  if constexpr (std::is_same_v<Scanner, CsvRecordScanner>) {
    return CsvRecordScanner(options.csv_separator);
  } else {
    (void)options;
    return Scanner();
  }
}

}  // namespace detail

inline void LineScanner::scan(const char* data, size_t size) {
  for (size_t p = 0;;) {
    const void* found = std::memchr(data + p, '\n', size - p);
    if (found == nullptr) break;
    p = static_cast<size_t>(static_cast<const char*>(found) - data) + 1;
    const uint64_t end = scanned_ + p;
    longest_ = std::max(longest_, end - last_end_);
    last_end_ = end;
    ++lines_;
    const uint64_t offset = end - 1 - block_start_;
    if (offset <= UINT32_MAX) ends_.push_back(static_cast<uint32_t>(offset));
    else ends_known_ = false;
  }
  scanned_ += size;
}

template <class Scanner>
RecordBlocks<Scanner>::RecordBlocks(ByteSource& source, const ReaderOptions& options, size_t block_bytes)
    : source_(source),
      options_(options),
      block_bytes_(std::max<size_t>(block_bytes, 1)),
      next_block_bytes_(std::min(block_bytes_, kFirstBlockBytes)),
      scanner_(detail::scanner_for<Scanner>(options)) {}

// A byte-order mark, which the readers skip at a file's start, is no record's data.
template <class Scanner>
Status RecordBlocks<Scanner>::start() {
  while (!end_ && carry_.size() < 3) {
    char bytes[3];
    S3DEST_ASSIGN_OR_RETURN(const size_t n, source_.read(bytes, 3 - carry_.size()));
    carry_.append(bytes, n);
    end_ = n == 0;
  }
  const size_t bom = carry_.size() >= 3 && std::memcmp(carry_.data(), "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
  scanner_.skip(bom);
  scanner_.scan(carry_.data() + bom, carry_.size() - bom);
  return {};
}

template <class Scanner>
Result<bool> RecordBlocks<Scanner>::next(RecordBlock& block) {
  if (done_) {
    if (scanner_.malformed()) {
      // The last block's parser fails before its end: the reader refuses a record the
      // scanner finds malformed. Should it not, say so rather than drop the rest.
      return internal_error(source_.name() + ":" + std::to_string(lines_before_ + 1) +
                            ": the csv was read past a record that could not be cut into blocks; please report "
                            "this, and read the file through a pipe (--input -) meanwhile");
    }
    return false;
  }
  block.line_ends.clear();
  if constexpr (std::is_same_v<Scanner, LineScanner>) scanner_.begin_block(block_start_);
  if (!started_) {
    started_ = true;
    S3DEST_TRY(start());
  }
  block.file = source_.name();
  block.bytes.clear();  // its buffer kept: no allocation for a block the size of the last
  // A new buffer is made the block's size at once, not doubled up to it from the first
  // read (each doubling copied the bytes so far into memory faulted in afresh).
  block.bytes.reserve(block_bytes_);
  block.bytes.append(carry_.data(), carry_.size());
  carry_.clear();
  const size_t block_bytes = next_block_bytes_;
  next_block_bytes_ = std::min(block_bytes_, 2 * block_bytes);
  block.csv_header.clear();
  // Fill to the block size, then keep reading until the block holds a record's end, as
  // long as that record is not longer than a record may be. Each byte is scanned once, as
  // it is read: a long record costs linear time.
  while (!end_ && !scanner_.malformed() &&
         (block.bytes.size() < block_bytes || scanner_.last_end() <= block_start_)) {
    if (scanner_.last_end() <= block_start_ && block.bytes.size() > options_.max_line_bytes) {
      return line_too_long_error(options_.max_line_bytes)
          .prefixed(source_.name() + ":" + std::to_string(lines_before_ + 1) + ": ");
    }
    // To the block size exactly, whatever the carried bytes: a reused buffer then fits
    // every block whose records end in it.
    const size_t old_size = block.bytes.size();
    const size_t want = std::min(old_size < block_bytes ? block_bytes - old_size : block_bytes, kReadBytes);
    char* at = block.bytes.grow(want);
    S3DEST_ASSIGN_OR_RETURN(const size_t n, source_.read(at, want));
    block.bytes.shrink_to(old_size + n);
    scanner_.scan(at, n);
    end_ = n == 0;
  }
  // Cut after the last whole record. At the end the rest is the last block; after a
  // malformed csv record everything read so far is, and its parser tells what is wrong
  // where (nothing after that record can be cut).
  done_ = end_ || scanner_.malformed();
  if (!done_) {
    const size_t cut = static_cast<size_t>(scanner_.last_end() - block_start_);
    carry_.append(block.bytes.data() + cut, block.bytes.size() - cut);
    block.bytes.shrink_to(cut);
  }
  if (block.bytes.empty()) return false;
  const uint64_t tail = block_start_ + block.bytes.size() - std::max(scanner_.last_end(), block_start_);
  block.longest_record = std::max(scanner_.take_longest(), tail);
  block.first_line_offset = lines_before_;
  if constexpr (std::is_same_v<Scanner, LineScanner>) scanner_.take_ends(block.line_ends);
  block_start_ += block.bytes.size();
  lines_before_ = scanner_.lines_to_last_end();
  if constexpr (kCsv) {
    // Blocks up to the one holding the header row start with it (or with blank lines,
    // which the reader skips before it); the blocks after it are told its fields.
    if (csv_header_.empty()) {
      S3DEST_ASSIGN_OR_RETURN(csv_header_, csv_header_in(block));
    } else {
      block.csv_header = csv_header_;
    }
  }
  return true;
}

// The fields of the header row at the start of `block` (after blank lines), or none when
// the block holds only blank lines.
template <class Scanner>
Result<std::vector<std::string>> RecordBlocks<Scanner>::csv_header_in(RecordBlock& block) const {
  ReaderOptions options = options_;
  options.first_line_offset = block.first_line_offset;
  options.csv_header.clear();
  S3DEST_ASSIGN_OR_RETURN(auto reader, CsvReader::open(InputWindow::over_bytes(block.bytes, block.file, options.max_line_bytes), options));
  return reader->header();
}

inline Result<std::unique_ptr<RowReader>> open_block_reader(RecordBlock& block, InputFormat format,
                                                            ReaderOptions options) {
  options.first_line_offset = block.first_line_offset;
  options.csv_header = block.csv_header;
  InputWindow window = InputWindow::over_bytes(block.bytes, block.file, options.max_line_bytes, &block.line_ends);
  if (format == InputFormat::csv) {
    S3DEST_ASSIGN_OR_RETURN(auto reader, CsvReader::open(std::move(window), options));
    return std::unique_ptr<RowReader>(std::move(reader));
  }
  S3DEST_ASSIGN_OR_RETURN(auto reader, NdjsonReader::open(std::move(window), options));
  return std::unique_ptr<RowReader>(std::move(reader));
}

}  // namespace s3dest
