// csv input (RFC 4180) with a header row and a chosen separator: quoted fields may hold
// separators, doubled quotes and line breaks; records end with \n or \r\n. An empty
// unquoted field is null and a quoted empty field ("") is the empty string, the same
// convention the csv encoder writes. Text must be UTF-8; a leading byte-order mark is
// skipped.
#pragma once

#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "s3dest/core/byte_source.hpp"
#include "s3dest/core/byte_words.hpp"
#include "s3dest/core/little_endian.hpp"
#include "s3dest/table/input_window.hpp"
#include "s3dest/table/reader_errors.hpp"
#include "s3dest/table/row_arena.hpp"
#include "s3dest/table/row_reader.hpp"
#include "s3dest/table/type_inference.hpp"
#include "s3dest/table/value_conversion.hpp"

namespace s3dest {

class CsvReader final : public RowReader {
 public:
  static Result<std::unique_ptr<CsvReader>> open(std::unique_ptr<ByteSource> source,
                                                 const ReaderOptions& options);
  // Over a window of its own: InputWindow::over_bytes() parses an input in memory in place.
  static Result<std::unique_ptr<CsvReader>> open(InputWindow window, const ReaderOptions& options);
  const Schema& schema() const override { return schema_; }
  Result<bool> next(Row& row) override;
  const std::string& name() const override { return errors_.file(); }
  uint64_t line() const override { return row_line_; }
  // The fields of the header row (ReaderOptions::csv_header when given); empty for an
  // input without one (no record at all).
  const std::vector<std::string>& header() const { return header_; }

 private:
  struct Field {
    std::string_view text;
    bool quoted;
  };
  enum class Scan { record, end, need_more, failed };
  // How a field ends: at a separator (another field follows), at the record's end (a line
  // break, or the end of the input).
  enum class FieldEnd { separator, record_end, need_more, failed };

  CsvReader(InputWindow window, const ReaderOptions& options)
      : window_(std::move(window)),
        errors_(window_.name(), options),
        separator_(options.csv_separator),
        line_(1 + options.first_line_offset) {}

  Result<bool> read_record();
  Scan scan_record(Status& error);
  FieldEnd scan_quoted_field(size_t& p, uint64_t& newlines, Status& error);
  FieldEnd after_closing_quote(size_t& p, uint64_t newlines, Status& error);
  FieldEnd scan_unquoted_fields(size_t& p);
  Status read_header(const ReaderOptions& options);
  Status infer_types(const std::vector<std::string>& names, const ReaderOptions& options);
  Status check_field_count(size_t count, uint64_t line) const;
  Status convert_record(const Field* fields, size_t count, uint64_t line, Row& row);

  InputWindow window_;
  ReaderErrors errors_;
  char separator_;
  bool valid_utf8_ = false;  // the whole input is known to be UTF-8
  Schema schema_;
  std::vector<std::string> header_;
  std::vector<size_t> column_of_field_;  // header position -> schema column
  std::vector<size_t> required_;         // columns that may not be null
  RowArena arena_;

  // The record just scanned: fields_ view the window or unescaped_ (fields with "").
  struct Span {
    size_t offset, size;
    bool quoted, unescaped;
  };
  std::vector<Span> spans_;
  // Each member stored in place: a Span{...} built on the stack and copied in stalls on
  // store forwarding, which cost this scanner two thirds of its time.
  void add_span(size_t offset, size_t size, bool quoted, bool unescaped) {
    Span& span = spans_.emplace_back();
    span.offset = offset;
    span.size = size;
    span.quoted = quoted;
    span.unescaped = unescaped;
  }
  std::string unescaped_;
  std::vector<Field> fields_;
  uint64_t line_;             // physical line at the window's position
  uint64_t row_line_ = 0;  // line of the row last read
  uint64_t record_line_ = 0;  // where the record in fields_ starts

  // The records read to infer types, replayed by next() before reading on.
  struct SampleRecord {
    size_t first, count;
    uint64_t line;
  };
  std::string sample_text_;
  std::vector<Span> sample_fields_;
  std::vector<SampleRecord> samples_;
  size_t next_sample_ = 0;
  std::vector<Field> replay_;
};

}  // namespace s3dest

// ---------------------------------------------------------------------------------------

namespace s3dest {

inline Result<std::unique_ptr<CsvReader>> CsvReader::open(std::unique_ptr<ByteSource> source,
                                                          const ReaderOptions& options) {
  return open(InputWindow(std::move(source), options.max_line_bytes), options);
}

inline Result<std::unique_ptr<CsvReader>> CsvReader::open(InputWindow window, const ReaderOptions& options) {
  const char sep = options.csv_separator;
  if (sep == '"' || sep == '\n' || sep == '\r' || sep == '\0')
    return usage_error("the csv separator cannot be a quote, a line break or NUL");
  if (options.schema) S3DEST_TRY(check_reader_schema(*options.schema));
  std::unique_ptr<CsvReader> reader(new CsvReader(std::move(window), options));
  // An input in memory is checked at once (a SIMD pass over megabytes is cheaper than one
  // call a record); only when it fails are records checked one by one, to tell where.
  const InputWindow& w = reader->window_;
  reader->valid_utf8_ = w.whole() && simdjson::validate_utf8(w.data(), w.size());
  S3DEST_TRY(reader->read_header(options));
  return reader;
}

inline Status CsvReader::read_header(const ReaderOptions& options) {
  // A byte-order mark is only at a file's start; a block further on may not skip one.
  if (options.first_line_offset == 0) S3DEST_TRY(window_.skip_utf8_bom());

  std::vector<std::string>& names = header_;
  bool has_header = true;
  if (!options.csv_header.empty()) {
    names = options.csv_header;  // checked where the header row was read
  } else {
    S3DEST_ASSIGN_OR_RETURN(has_header, read_record());
  }
  if (has_header && options.csv_header.empty()) {
    S3DEST_TRY(errors_.check_column_count(record_line_, fields_.size()));
    std::unordered_map<std::string_view, size_t> position;
    for (size_t i = 0; i < fields_.size(); ++i) names.emplace_back(fields_[i].text);
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i].empty()) {
        return input_error(errors_.where(record_line_) + "column " + std::to_string(i + 1) +
                           " of the header row has no name; the first row must name every column");
      }
      if (!position.emplace(names[i], i).second) {
        return input_error(errors_.where(record_line_) + "column name '" + names[i] +
                           "' appears twice in the header row; column names must be unique");
      }
    }
  }

  if (!options.schema) return infer_types(names, options);

  schema_ = *options.schema;
  const bool from_file = options.schema_origin.empty();
  std::vector<bool> present(schema_.columns.size(), false);
  for (const std::string& name : names) {
    const auto column = schema_.find(name);
    if (!column) {
      return input_error(errors_.where(record_line_) + "column '" + name + "' of the header row is not in the " +
                         (from_file ? "--schema file; add it there" : "schema (" + options.schema_origin +
                                                                            "); list every column with --schema"));
    }
    column_of_field_.push_back(*column);
    present[*column] = true;
  }
  for (size_t i = 0; i < schema_.columns.size(); ++i) {
    if (schema_.columns[i].nullable) continue;
    if (!present[i] && has_header) {
      return input_error(errors_.where(record_line_) + "the header row has no column '" + schema_.columns[i].name +
                         "', which the schema says is not nullable; add the column or make it nullable");
    }
    required_.push_back(i);
  }
  return {};
}

inline Status CsvReader::infer_types(const std::vector<std::string>& names, const ReaderOptions& options) {
  TypeInference inference;
  for (size_t i = 0; i < names.size(); ++i) column_of_field_.push_back(i);
  const size_t wanted = errors_.inference_rows();
  while (samples_.size() < wanted && sample_text_.size() < errors_.inference_bytes()) {
    S3DEST_ASSIGN_OR_RETURN(const bool more, read_record());
    if (!more) break;
    S3DEST_TRY(check_field_count(fields_.size(), record_line_));
    samples_.push_back(SampleRecord{sample_fields_.size(), fields_.size(), record_line_});
    for (size_t i = 0; i < fields_.size(); ++i) {
      const Field& f = fields_[i];
      sample_fields_.push_back(Span{sample_text_.size(), f.text.size(), f.quoted, false});
      sample_text_.append(f.text.data(), f.text.size());
      inference.observe(i, !f.quoted && f.text.empty() ? ValueKind::null : kind_of_text(f.text));
    }
  }
  schema_ = inference.schema(names, options.time_columns);
  return {};
}

inline Status CsvReader::check_field_count(size_t count, uint64_t line) const {
  const size_t expected = column_of_field_.size();
  if (count == expected) return {};
  std::string sep = separator_ == '\t' ? "tab" : std::string("'") + separator_ + "'";
  return input_error(errors_.where(line) + "this record has " + std::to_string(count) +
                     " fields but the header row has " + std::to_string(expected) +
                     "; quote fields that contain the separator " + sep + " or a line break");
}

inline Result<bool> CsvReader::next(Row& row) {
  if (next_sample_ < samples_.size()) {
    const SampleRecord& s = samples_[next_sample_++];
    replay_.clear();
    for (size_t i = 0; i < s.count; ++i) {
      const Span& f = sample_fields_[s.first + i];
      replay_.push_back(Field{std::string_view(sample_text_.data() + f.offset, f.size), f.quoted});
    }
    S3DEST_TRY(convert_record(replay_.data(), replay_.size(), s.line, row));
    return true;
  }
  if (!samples_.empty()) {  // replay done; the last sample's views are no longer needed
    // Swapped out: assigned `{}`, each would keep its buffer.
    std::vector<SampleRecord>().swap(samples_);
    std::vector<Span>().swap(sample_fields_);
    std::string().swap(sample_text_);
  }
  S3DEST_ASSIGN_OR_RETURN(const bool more, read_record());
  if (!more) return false;
  S3DEST_TRY(check_field_count(fields_.size(), record_line_));
  S3DEST_TRY(convert_record(fields_.data(), fields_.size(), record_line_, row));
  return true;
}

inline Status CsvReader::convert_record(const Field* fields, size_t count, uint64_t line, Row& row) {
  row_line_ = line;
  reset_to_nulls(row, schema_.columns.size());
  arena_.clear();
  for (size_t i = 0; i < count; ++i) {
    const Field& f = fields[i];
    if (!f.quoted && f.text.empty()) continue;  // null
    const size_t column = column_of_field_[i];
    const ColumnType& type = schema_.columns[column].type;
    if (!value_from_text(f.text, type, row[column], arena_)) {
      std::string problem = value_problem(f.text, type);
      if (f.text.empty()) problem += " (for null, leave the field empty without quotes)";
      return errors_.bad_value(line, schema_.columns[column], quote_for_message(f.text), problem);
    }
  }
  for (size_t column : required_)
    if (row[column].is_null) return errors_.null_in_required(line, schema_.columns[column]);
  return {};
}

// The next record into fields_, skipping blank lines unless a blank line is a record (a
// single column's null).
inline Result<bool> CsvReader::read_record() {
  for (;;) {
    Status error;
    switch (scan_record(error)) {
      case Scan::record: {
        const bool blank = fields_.size() == 1 && !fields_[0].quoted && fields_[0].text.empty();
        if (blank && column_of_field_.size() != 1) continue;
        return true;
      }
      case Scan::end:
        return false;
      case Scan::failed:
        return error;
      case Scan::need_more:
        if (const Status read = window_.read_more().status(); !read.ok())
          return window_.over_line_limit() ? read.prefixed(errors_.where(line_)) : read;
        break;
    }
  }
}

// Scans one record at the window's position. need_more when it runs past the data read so
// far; the caller reads more and scans again from the record's start.
inline CsvReader::Scan CsvReader::scan_record(Status& error) {
  const char* base = window_.data();
  const size_t start = window_.pos();
  if (start == window_.size()) return window_.eof() ? Scan::end : Scan::need_more;
  spans_.clear();
  unescaped_.clear();
  uint64_t newlines = 0;  // inside quoted fields
  size_t p = start;
  for (FieldEnd field = FieldEnd::separator; field == FieldEnd::separator;) {
    field = p < window_.size() && base[p] == '"' ? scan_quoted_field(p, newlines, error) : scan_unquoted_fields(p);
    if (field == FieldEnd::need_more) return Scan::need_more;
    if (field == FieldEnd::failed) return Scan::failed;
  }
  // The window refuses a record longer than the limit when it must read on to finish it;
  // one that it holds whole already (in memory, or within the first read) is refused here.
  if (p - start - (p > start && base[p - 1] == '\n') > window_.max_line_bytes()) {
    error = line_too_long_error(window_.max_line_bytes()).prefixed(errors_.where(line_));
    return Scan::failed;
  }
  if (!valid_utf8_ && !simdjson::validate_utf8(base + start, p - start)) {
    error = input_error(errors_.where(line_) +
                        "the text is not valid UTF-8; convert the file to UTF-8 (for example with "
                        "iconv -f latin1 -t utf-8)");
    return Scan::failed;
  }
  window_.consume_to(p);
  record_line_ = line_;
  line_ += 1 + newlines;
  fields_.resize(spans_.size());
  for (size_t i = 0; i < spans_.size(); ++i) {
    const Span& s = spans_[i];
    fields_[i].text = std::string_view(s.unescaped ? unescaped_.data() + s.offset : base + s.offset, s.size);
    fields_[i].quoted = s.quoted;
  }
  return Scan::record;
}

// The quoted field whose opening quote is at `p`, into spans_ (unescaped_ when it holds a
// doubled quote), and what follows it; `newlines` counts the line breaks inside.
inline CsvReader::FieldEnd CsvReader::scan_quoted_field(size_t& p, uint64_t& newlines, Status& error) {
  const char* base = window_.data();
  const size_t end = window_.size();
  const bool eof = window_.eof();
  const uint64_t opening_line = line_ + newlines;
  const size_t content = p + 1;
  size_t q = content;
  bool doubled = false;
  for (;;) {
    const void* found = std::memchr(base + q, '"', end - q);
    if (found == nullptr) {
      if (!eof) return FieldEnd::need_more;
      error = input_error(errors_.where(opening_line) +
                          "a quoted field starts here and is never closed; close it with a "
                          "quote, and double every quote inside it (\"\")");
      return FieldEnd::failed;
    }
    const size_t qi = static_cast<size_t>(static_cast<const char*>(found) - base);
    if (qi + 1 == end && !eof) return FieldEnd::need_more;  // a doubled quote may follow
    newlines += static_cast<uint64_t>(std::count(base + q, base + qi, '\n'));
    if (qi + 1 < end && base[qi + 1] == '"') {
      if (!doubled) {
        doubled = true;
        add_span(unescaped_.size(), 0, true, true);
        unescaped_.append(base + content, qi + 1 - content);
      } else {
        unescaped_.append(base + q, qi + 1 - q);
      }
      q = qi + 2;
      continue;
    }
    if (doubled) {
      unescaped_.append(base + q, qi - q);
      spans_.back().size = unescaped_.size() - spans_.back().offset;
    } else {
      add_span(content, qi - content, true, false);
    }
    p = qi + 1;
    return after_closing_quote(p, newlines, error);
  }
}

// What may follow a quoted field's closing quote at `p`: a separator or the record's end.
inline CsvReader::FieldEnd CsvReader::after_closing_quote(size_t& p, uint64_t newlines, Status& error) {
  const char* base = window_.data();
  const size_t end = window_.size();
  if (p == end) return FieldEnd::record_end;  // eof: the last record has no line break
  const char c = base[p];
  if (c == separator_) {
    ++p;
    return FieldEnd::separator;
  }
  if (c == '\n') {
    ++p;
    return FieldEnd::record_end;
  }
  if (c == '\r' && p + 1 < end && base[p + 1] == '\n') {
    p += 2;
    return FieldEnd::record_end;
  }
  if (c == '\r' && p + 1 == end && !window_.eof()) return FieldEnd::need_more;
  error = input_error(errors_.where(line_ + newlines) + "unexpected " +
                      quote_for_message(std::string_view(base + p, 1)) +
                      " after a quoted field's closing quote; quote the whole field and double "
                      "every quote inside it (\"\")");
  return FieldEnd::failed;
}

// The unquoted fields from `p` on, each up to a separator or the line's end (a '\r'
// before the '\n' is not part of it; a quote inside is kept as it is), until the record
// ends or a field opens with a quote: then separator, with `p` at that quote. One pass
// eight bytes at a time visits every separator in a word: fields are short, so a call
// and a fresh word a field cost more than their bytes.
inline CsvReader::FieldEnd CsvReader::scan_unquoted_fields(size_t& p) {
  const char* base = window_.data();
  const size_t end = window_.size();
  size_t field = p;
  // A separator at `at`: the field before it ends there, and the next one starts after it.
  const auto separator_at = [&](size_t at) {
    add_span(field, at - field, false, false);
    field = at + 1;
    return field < end && base[field] == '"';  // the next field is quoted
  };
  const auto line_end_at = [&](size_t at) {
    const size_t field_end = at > field && base[at - 1] == '\r' ? at - 1 : at;
    add_span(field, field_end - field, false, false);
    p = at == end ? end : at + 1;
    return FieldEnd::record_end;
  };
  size_t at = field;
  for (; at + 8 <= end; at += 8) {
    // Little-endian on any machine, so the lowest set bit of a test marks the first match.
    const uint64_t word = load_little_endian<uint64_t>(std::string_view(base + at, 8));
    const uint64_t line_ends = bytes_equal_exactly(word, '\n');
    uint64_t separators = bytes_equal_exactly(word, static_cast<unsigned char>(separator_));
    // Those before the line's end only; which mark ends the line is not tested mark by
    // mark, a branch no predictor learns.
    if (line_ends != 0) separators &= (line_ends & (0 - line_ends)) - 1;
    for (; separators != 0; separators &= separators - 1) {
      if (separator_at(at + static_cast<size_t>(__builtin_ctzll(separators)) / 8)) {
        p = field;
        return FieldEnd::separator;
      }
    }
    if (line_ends != 0) return line_end_at(at + static_cast<size_t>(__builtin_ctzll(line_ends)) / 8);
  }
  for (; at < end; ++at) {
    if (base[at] == '\n') return line_end_at(at);
    if (base[at] == separator_ && separator_at(at)) {
      p = field;
      return FieldEnd::separator;
    }
  }
  if (!window_.eof()) return FieldEnd::need_more;
  return line_end_at(end);  // the last record has no line break
}

}  // namespace s3dest
