// Rows from an input file: NDJSON (one JSON object per line) or csv with a header row.
// The reader knows its schema before the first row: given (--schema, or the schema of an
// earlier input file) or inferred from the first rows, which it buffers and then replays.
//
//   S3DEST_ASSIGN_OR_RETURN(auto source, ByteSource::open("events.ndjson.gz"));
//   S3DEST_ASSIGN_OR_RETURN(auto reader, open_row_reader(std::move(source), InputFormat::ndjson, {}));
//   Row row;
//   for (;;) {
//     S3DEST_ASSIGN_OR_RETURN(const bool more, reader->next(row));
//     if (!more) break;
//     ...  // row[i] is a value of reader->schema().columns[i]
//   }
//
// Every bad value is an input error (exit 3) that starts "<file>:<line>: " and says what to do.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "s3dest/core/hex.hpp"
#include "s3dest/core/byte_source.hpp"
#include "s3dest/core/status.hpp"
#include "s3dest/table/row.hpp"
#include "s3dest/table/schema.hpp"

namespace s3dest {

class RowReader {
 public:
  virtual ~RowReader() = default;
  virtual const Schema& schema() const = 0;
  // Reads the next row (values in schema column order) into `row`. Ok(false) at end of
  // input. Values' string_views stay valid until the next call.
  virtual Result<bool> next(Row& row) = 0;
  // The input's name and the line of the row last read, for messages about that row
  // beyond the reader's own.
  virtual const std::string& name() const = 0;
  virtual uint64_t line() const = 0;
};

struct ReaderOptions {
  std::optional<Schema> schema;  // from --schema or from the previous input file; else inferred
  // Where `schema` came from, for messages about values that do not fit it: empty for a
  // --schema file, else e.g. "inferred from the first 1000 rows of a.ndjson".
  std::string schema_origin;
  size_t inference_rows = 1000;  // rows looked at to infer types
  char csv_separator = ',';      // for csv input
  // The longest line (NDJSON) or record (csv) read; a longer one is bad input. Parsing a
  // line takes several times its size, so this is what bounds a reader's memory. Schema
  // inference also stops early once its sample rows hold twice this many bytes.
  size_t max_line_bytes = size_t{16} << 20;
  // The most columns a table may have (keys of NDJSON objects, fields of a csv header):
  // every column costs memory in each open output file.
  size_t max_columns = 8192;
  // Columns declared to hold a date or a timestamp (the date field that partitions), so a
  // value that is neither is bad input at its row rather than making a column of strings.
  // One with a format or unit (type.format, type.unit) has the type it declares; one
  // without is a timestamp if a sample value was one, else a date.
  std::vector<Column> time_columns;
  // Lines before the source's first byte: a source that is one block of a larger file
  // reports the file's line numbers.
  uint64_t first_line_offset = 0;
};

enum class InputFormat { ndjson, csv };

// Opens `source` (whose name() is used in messages) as NDJSON or csv. Without a schema
// this reads the first options.inference_rows rows to infer one.
Result<std::unique_ptr<RowReader>> open_row_reader(std::unique_ptr<ByteSource> source,
                                                   InputFormat format, const ReaderOptions& options);

}  // namespace s3dest

// ---------------------------------------------------------------------------------------
// Parts the readers share: the input window, the per-row arena, text-to-value conversion
// and the wording of errors.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "s3dest/core/civil_time.hpp"
#include "s3dest/core/numbers.hpp"
#include "s3dest/crypto/base64.hpp"
#include "s3dest/table/decimal.hpp"
#include "s3dest/table/type_inference.hpp"

namespace s3dest {
namespace detail {

// Defined in ndjson_reader.hpp and csv_reader.hpp, which this header includes at its end.
inline Result<std::unique_ptr<RowReader>> open_ndjson_reader(std::unique_ptr<ByteSource> source,
                                                             const ReaderOptions& options);
inline Result<std::unique_ptr<RowReader>> open_csv_reader(std::unique_ptr<ByteSource> source,
                                                          const ReaderOptions& options);

// Readable bytes kept past the data's end: simdjson reads up to 64 bytes ahead.
constexpr size_t kInputPadding = 64;
constexpr size_t kInputBlock = size_t{1} << 20;

// What a reader says of a line over ReaderOptions::max_line_bytes, after "file:line: ".
inline Status line_too_long_error(size_t max_line_bytes) {
  return input_error("the line is longer than " + std::to_string(max_line_bytes) +
                     " bytes, the longest this load reads (it grows with memory_limit_mb); raise "
                     "memory_limit_mb, or check the data: a csv quote left open, or no line breaks at all?");
}

// A growable window over a ByteSource. Readers parse in place in [pos(), size()); when a
// line or record runs past the end they call read_more(), which moves the unused bytes to
// the front (pos() becomes 0) and appends more, growing the buffer for long lines up to
// `max_line_bytes` (past that, read_more() fails: the reader says where). The byte after
// the data is always '\n', so a parser never sees stale bytes past a last line that has
// no newline.
class InputWindow {
 public:
  InputWindow(std::unique_ptr<ByteSource> source, size_t max_line_bytes)
      : source_(std::move(source)), max_line_bytes_(std::max<size_t>(max_line_bytes, 1)) {}

  const std::string& name() const { return source_->name(); }
  const char* data() const { return buf_.get(); }
  size_t pos() const { return pos_; }
  size_t size() const { return size_; }
  bool eof() const { return eof_; }
  void consume_to(size_t pos) { pos_ = pos; }
  // Whether the line being read is longer than the limit (read_more() then failed).
  bool over_line_limit() const { return size_ - pos_ > max_line_bytes_; }
  // Bytes readable from `p` on, padding included (for simdjson).
  size_t capacity_from(const char* p) const {
    return static_cast<size_t>(buf_.get() + capacity_ + kInputPadding - p);
  }

  // Reads more input; false (and eof()) when there is none.
  Result<bool> read_more() {
    if (eof_) return false;
    if (!buf_) {
      capacity_ = kInputBlock;
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

  // Skips a UTF-8 byte-order mark at the start: editors and spreadsheets write one, and
  // it is not part of the first value.
  Status skip_utf8_bom() {
    while (size_ - pos_ < 3 && !eof_) S3DEST_TRY(read_more().status());
    if (size_ - pos_ >= 3 && std::memcmp(buf_.get() + pos_, "\xEF\xBB\xBF", 3) == 0) pos_ += 3;
    return {};
  }

  // The next line without its '\n' (a '\r' before it is kept); false at the end.
  Result<bool> next_line(std::string_view& line) {
    size_t scanned = 0;  // bytes after pos_ known to hold no '\n'
    for (;;) {
      const char* start = buf_ ? buf_.get() + pos_ : nullptr;
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

 private:
  std::unique_ptr<ByteSource> source_;
  const size_t max_line_bytes_;
  std::unique_ptr<char[]> buf_;
  size_t capacity_ = 0;
  size_t pos_ = 0, size_ = 0;
  bool eof_ = false;
};

// Bytes owned by the current row (decoded base64, minified JSON). Cleared before each
// row; blocks never move, so views handed out stay valid until the clear.
class RowArena {
 public:
  char* allocate(size_t n) {
    if (n > free_) grow(n);
    char* p = blocks_.back().get() + (block_sizes_.back() - free_);
    free_ -= n;
    return p;
  }
  void clear() {
    if (blocks_.size() > 1) {  // settle on one block big enough for such rows
      size_t total = 0;
      for (size_t s : block_sizes_) total += s;
      blocks_.clear();
      block_sizes_.clear();
      blocks_.emplace_back(new char[total]);
      block_sizes_.push_back(total);
    }
    free_ = block_sizes_.empty() ? 0 : block_sizes_.back();
  }

 private:
  void grow(size_t n) {
    const size_t size = std::max<size_t>(n, 64 * 1024);
    blocks_.emplace_back(new char[size]);
    block_sizes_.push_back(size);
    free_ = size;
  }
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::vector<size_t> block_sizes_;
  size_t free_ = 0;
};

// Converts a text value (a csv field, or a JSON string) to `type`. False when it does not
// fit; value_problem() then says why.
inline bool convert_text(std::string_view text, const ColumnType& type, Value& out, RowArena& arena) {
  switch (type.id) {
    case TypeId::string:
      out = Value::of_bytes(text);
      return true;
    case TypeId::binary: {
      char* dst = arena.allocate(max_decoded_base64_size(text.size()) + 1);
      size_t n = 0;
      if (!decode_base64_to(text, dst, n)) return false;
      out = Value::of_bytes(std::string_view(dst, n));
      return true;
    }
    case TypeId::boolean: {
      bool b = false;
      if (!parse_bool_text(text, b)) return false;
      out = Value::of_bool(b);
      return true;
    }
    case TypeId::int32:
    case TypeId::int64: {
      const auto v = parse_int64(text);
      if (!v || (type.id == TypeId::int32 && (*v < INT32_MIN || *v > INT32_MAX))) return false;
      out = Value::of_int(*v);
      return true;
    }
    case TypeId::float64: {
      const auto v = parse_double(text);
      if (!v) return false;
      out = Value::of_double(*v);
      return true;
    }
    case TypeId::date: {
      std::optional<int64_t> v;
      if (type.format.empty()) v = parse_date(text);
      else if (const auto micros = parse_time_with_format(text, type.format))
        v = floor_div(*micros, kMicrosPerDay);  // the day it falls on (UTC)
      if (!v) return false;
      out = Value::of_int(*v);
      return true;
    }
    case TypeId::timestamp: {
      const auto v = type.unit != EpochUnit::none ? parse_epoch(text, type.unit)
                     : type.format.empty()        ? parse_timestamp(text)
                                                  : parse_time_with_format(text, type.format);
      if (!v) return false;
      out = Value::of_int(*v);
      return true;
    }
    case TypeId::decimal: {
      const auto v = parse_decimal(text, type);
      if (!v) return false;
      out = Value::of_decimal(*v);
      return true;
    }
  }
  return false;
}

// Why a number's text does not fit an integer column: "is not an int64" or out of range.
inline std::string integer_problem(std::string_view text, const ColumnType& type) {
  const auto v = parse_int64(text);
  size_t digits = 0;
  for (char c : text) digits += (c >= '0' && c <= '9');
  const bool signed_text = !text.empty() && (text[0] == '-' || text[0] == '+');
  const bool integer_shaped = digits > 0 && digits + signed_text == text.size();
  if ((v && type.id == TypeId::int32) || (!v && integer_shaped))
    return "is out of the " + type.name() + " range";
  return "is not an " + type.name();
}

// Why `text` (already known not to convert) does not fit `type`.
inline std::string value_problem(std::string_view text, const ColumnType& type) {
  switch (type.id) {
    case TypeId::binary: return "is not base64 (RFC 4648, with = padding)";
    case TypeId::boolean: return "is not a bool (true or false)";
    case TypeId::int32:
    case TypeId::int64: return integer_problem(text, type);
    case TypeId::float64: return "is not a double";
    case TypeId::date:
      if (!type.format.empty()) return "does not match the format \"" + type.format + "\"";
      return "is not a date (YYYY-MM-DD, YYYY/MM/DD or YYYY.MM.DD)";
    case TypeId::timestamp:
      if (!type.format.empty()) return "does not match the format \"" + type.format + "\"";
      if (type.unit != EpochUnit::none)
        return "is not a number of " + std::string(epoch_unit_name(type.unit)) +
               " since 1970-01-01 in the years 0001-9999 (with no digit finer than a microsecond)";
      return "is not a timestamp (like 2024-01-31T09:30:00Z, 2024-01-31 11:30:00.250+02:00 or 2024/01/31 09:30; "
             "at most 6 fractional digits that are not zero)";
    case TypeId::decimal:
      if (!parse_double(text)) return "is not a decimal number";
      return "does not fit " + type.name() + " without rounding";
    case TypeId::string: break;
  }
  return "does not fit a " + type.name() + " column";
}

// `text` quoted for a message: escapes control characters, cuts long values.
inline std::string quote_for_message(std::string_view text) {
  constexpr size_t kMax = 60;
  std::string out = "\"";
  size_t n = text.size();
  if (n > kMax) {
    n = kMax;
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;  // whole characters
  }
  for (size_t i = 0; i < n; ++i) {
    const char c = text[i];
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += "\\u00";
      append_hex_digits(out, static_cast<unsigned char>(c), 2);
    } else {
      out.push_back(c);
    }
  }
  if (n < text.size()) out += "...";
  out.push_back('"');
  return out;
}

// A raw JSON token for a message, cut like quote_for_message.
inline std::string shorten_for_message(std::string_view text) {
  constexpr size_t kMax = 60;
  if (text.size() <= kMax) return std::string(text);
  size_t n = kMax;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return std::string(text.substr(0, n)) + "...";
}

// The wording of errors about values, which depends on where the schema came from.
class ValueErrors {
 public:
  ValueErrors() = default;
  ValueErrors(std::string file, const ReaderOptions& options)
      : file_(std::move(file)),
        origin_(options.schema_origin),
        inference_rows_(std::max<size_t>(options.inference_rows, 1)),
        inference_bytes_(2 * std::max<size_t>(options.max_line_bytes, 1)),
        max_columns_(options.max_columns),
        time_columns_(options.time_columns) {
    if (!options.schema) {
      inferred_ = true;
      note_ = "type inferred from the first " + std::to_string(inference_rows_) + " rows";
      advice_ = "give the column's type with --schema";
    } else if (!options.schema_origin.empty()) {
      note_ = "type " + options.schema_origin;
      advice_ = "give the column's type with --schema";
    } else {
      note_ = "type from the --schema file";
      advice_ = "fix the value, or the column's type in the --schema file";
    }
  }

  const std::string& file() const { return file_; }
  // Where a given schema came from ("" for a --schema file).
  const std::string& origin() const { return origin_; }
  size_t inference_rows() const { return inference_rows_; }
  // Inference also stops once its sample rows hold this many bytes (they are kept to be
  // read again), so rows near the longest a line may be cannot pile up.
  size_t inference_bytes() const { return inference_bytes_; }
  bool inferred() const { return inferred_; }

  std::string where(uint64_t line) const { return file_ + ":" + std::to_string(line) + ": "; }

  // Refuses the row at `line` when it brings the table's columns past the most allowed.
  Status check_column_count(uint64_t line, size_t columns) const {
    if (columns <= max_columns_) return {};
    return input_error(where(line) + "more than " + std::to_string(max_columns_) +
                       " columns, the most this load takes (it grows with memory_limit_mb); raise "
                       "memory_limit_mb, or check the data: keys that are really values?");
  }

  // "data.ndjson:1502: column 'cost': "abc" is not a double (type inferred from the first
  // 1000 rows); give the column's type with --schema"
  Status bad_value(uint64_t line, const Column& column, const std::string& shown,
                   const std::string& problem) const {
    const auto declared = [&column](const Column& c) { return c.name == column.name; };
    if (std::find_if(time_columns_.begin(), time_columns_.end(), declared) != time_columns_.end()) {
      return input_error(where(line) + "column '" + column.name + "': " + shown + " " + problem +
                         " (the date field: every row's must be a date or a timestamp); fix the value");
    }
    return input_error(where(line) + "column '" + column.name + "': " + shown + " " + problem +
                       " (" + note_ + "); " + advice_);
  }

  Status null_in_required(uint64_t line, const Column& column) const {
    return input_error(where(line) + "column '" + column.name +
                       "' has no value (null or missing) but the schema says it is not "
                       "nullable; give it a value, or drop \"nullable\": false from the schema");
  }

 private:
  std::string file_;
  std::string origin_;
  size_t inference_rows_ = 1000;
  size_t inference_bytes_ = 0;
  size_t max_columns_ = 0;
  std::vector<Column> time_columns_;  // typed as dates by declaration, not inference
  bool inferred_ = false;
  std::string note_, advice_;
};

// Checks a schema handed to a reader: named, uniquely.
inline Status check_reader_schema(const Schema& schema) {
  std::unordered_set<std::string_view> names;
  for (const Column& c : schema.columns) {
    if (c.name.empty()) return usage_error("the schema has a column without a name; name every column");
    if (!names.insert(c.name).second)
      return usage_error("the schema names column '" + c.name + "' twice; column names must be unique");
  }
  return {};
}

}  // namespace detail

inline Result<std::unique_ptr<RowReader>> open_row_reader(std::unique_ptr<ByteSource> source,
                                                          InputFormat format,
                                                          const ReaderOptions& options) {
  if (!source) return internal_error("open_row_reader: no source");
  if (options.schema) S3DEST_TRY(detail::check_reader_schema(*options.schema));
  switch (format) {
    case InputFormat::ndjson: return detail::open_ndjson_reader(std::move(source), options);
    case InputFormat::csv: return detail::open_csv_reader(std::move(source), options);
  }
  return internal_error("open_row_reader: unknown input format");
}

}  // namespace s3dest

// The readers; after the interface, so each of them can include this header first.
#include "s3dest/table/csv_reader.hpp"
#include "s3dest/table/ndjson_reader.hpp"
