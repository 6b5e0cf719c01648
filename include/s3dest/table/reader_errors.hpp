// What the readers say about bad input: every message starts "<file>:<line>: ", shows the
// value at fault cut to a readable length, and tells the user what to do, which depends
// on where the schema came from (inferred, --schema, or an earlier input file).
//
//   ReaderErrors errors(source->name(), options);
//   return errors.bad_value(line, column, quote_for_message(field), value_problem(field, column.type));
//   // data.ndjson:1502: column 'cost': "abc" is not a double (type inferred from the first
//   // 1000 rows); give the column's type with --schema
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "s3dest/core/status.hpp"
#include "s3dest/table/row_reader.hpp"
#include "s3dest/table/schema.hpp"

namespace s3dest {

// `text` in quotes for a message: control characters escaped, a long value cut ("...").
std::string quote_for_message(std::string_view text);
// A raw JSON token (a number, an object) for a message, cut as quote_for_message cuts.
std::string shorten_for_message(std::string_view text);

class ReaderErrors {
 public:
  ReaderErrors() = default;
  ReaderErrors(std::string file, const ReaderOptions& options);

  const std::string& file() const { return file_; }
  // Where a given schema came from ("" for a --schema file).
  const std::string& origin() const { return origin_; }
  bool inferred() const { return inferred_; }
  size_t inference_rows() const { return inference_rows_; }
  // Inference also stops once its sample rows hold this many bytes (they are kept to be
  // read again), so rows near the longest a line may be cannot pile up.
  size_t inference_bytes() const { return inference_bytes_; }

  // "<file>:<line>: "
  std::string where(uint64_t line) const { return file_ + ":" + std::to_string(line) + ": "; }
  // Refuses the row at `line` when it brings the table's columns past the most allowed.
  Status check_column_count(uint64_t line, size_t columns) const;
  // `column`'s value, `shown` as quote_for_message shows it, has `problem` (value_problem).
  Status bad_value(uint64_t line, const Column& column, const std::string& shown, const std::string& problem) const;
  Status null_in_required(uint64_t line, const Column& column) const;

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

}  // namespace s3dest

// ---------------------------------------------------------------------------------------

#include "s3dest/core/hex.hpp"

namespace s3dest {
namespace detail {

constexpr size_t kMaxBytesShown = 60;

// How much of `text` a message shows: all of it, or kMaxBytesShown cut back to a whole
// UTF-8 character.
inline size_t bytes_shown(std::string_view text) {
  if (text.size() <= kMaxBytesShown) return text.size();
  size_t n = kMaxBytesShown;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return n;
}

}  // namespace detail

inline std::string quote_for_message(std::string_view text) {
  std::string out = "\"";
  const size_t n = detail::bytes_shown(text);
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

inline std::string shorten_for_message(std::string_view text) {
  const size_t n = detail::bytes_shown(text);
  if (n == text.size()) return std::string(text);
  return std::string(text.substr(0, n)) + "...";
}

inline ReaderErrors::ReaderErrors(std::string file, const ReaderOptions& options)
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

inline Status ReaderErrors::check_column_count(uint64_t line, size_t columns) const {
  if (columns <= max_columns_) return {};
  return input_error(where(line) + "more than " + std::to_string(max_columns_) +
                     " columns, the most this load takes (it grows with memory_limit_mb); raise "
                     "memory_limit_mb, or check the data: keys that are really values?");
}

inline Status ReaderErrors::bad_value(uint64_t line, const Column& column, const std::string& shown,
                                      const std::string& problem) const {
  const auto declared = [&column](const Column& c) { return c.name == column.name; };
  if (std::find_if(time_columns_.begin(), time_columns_.end(), declared) != time_columns_.end()) {
    return input_error(where(line) + "column '" + column.name + "': " + shown + " " + problem +
                       " (the date field: every row's must be a date or a timestamp); fix the value");
  }
  return input_error(where(line) + "column '" + column.name + "': " + shown + " " + problem + " (" + note_ +
                     "); " + advice_);
}

inline Status ReaderErrors::null_in_required(uint64_t line, const Column& column) const {
  return input_error(where(line) + "column '" + column.name +
                     "' has no value (null or missing) but the schema says it is not "
                     "nullable; give it a value, or drop \"nullable\": false from the schema");
}

}  // namespace s3dest
