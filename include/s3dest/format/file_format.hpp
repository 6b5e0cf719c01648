// A file format in two halves, so rows can be routed and buffered between them:
//   RowFormat::encode_record   row -> record bytes (while reading input)
//   FileEncoder                records -> one finished file (while writing objects)
// For the text formats a record is the row's final text; binary formats may choose their
// own record layout. A FileEncoder enforces the size cap itself, since only it knows how
// its bytes grow (compression, footers).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "s3dest/core/byte_sink.hpp"
#include "s3dest/core/status.hpp"
#include "s3dest/table/row.hpp"
#include "s3dest/table/schema.hpp"

namespace s3dest {

class FileEncoder {
 public:
  virtual ~FileEncoder() = default;
  // Starts a file on `out` (which must outlive the encoder) that will stay within `cap`
  // bytes once finished. Fails if not even an empty file fits.
  virtual Status begin(ByteSink& out, uint64_t cap) = 0;
  // Adds a record if the finished file would still fit the cap: Ok(false) means it was
  // not added and this file should be finished.
  virtual Result<bool> try_add(std::string_view record) = 0;
  // No more records: an encoder whose codec runs on other threads starts on what it holds
  // (Compressor::end_input), so finish() waits less. Nothing but finish() may follow.
  virtual Status end_input() { return {}; }
  // No more records, and what finish() will compute is computed now, with no write to the
  // sink (parquet: the last pages and dictionaries, compressed). Encoders of one format
  // may settle on different threads at once, so a load ending with many open files
  // spreads their last work over every core. Nothing but finish() may follow.
  virtual Status settle() { return {}; }
  // Writes what is left (buffers, trailers, footers) to the sink.
  virtual Status finish() = 0;

  // Bytes of data held back for the file (parquet's open row group), beyond the fixed
  // cost RowFormat::open_file_memory counts; 0 for formats that stream.
  virtual uint64_t memory_held() const { return 0; }
  // Writes held data out now, even if early, to free memory for other open files.
  virtual Status release_memory() { return {}; }
};

class RowFormat {
 public:
  virtual ~RowFormat() = default;
  // ".csv.gz", ...: the object key's extension.
  virtual std::string_view extension() const = 0;
  // Appends the record for `row` to `out`.
  virtual void encode_record(const Row& row, std::string& out) const = 0;
  virtual std::unique_ptr<FileEncoder> new_file() const = 0;
  // Memory one open file's encoder needs whatever it holds (buffers, compressor state):
  // what each file written at the same time costs, before FileEncoder::memory_held.
  virtual uint64_t open_file_memory() const { return uint64_t{1} << 20; }
  // Memory the format holds once, however many files are open (the buffers and codecs of
  // the threads that encode its files).
  virtual uint64_t shared_memory() const { return 0; }
  // Whether its FileEncoders do most of their work on the thread that calls them (parquet's
  // pages, a codec's blocks), rather than copying records or handing them to threads of
  // their own: that thread then sets a load's pace.
  virtual bool encodes_on_calling_thread() const { return false; }
};

}  // namespace s3dest
