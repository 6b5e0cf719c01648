// NDJSON input: one JSON object per line, blank lines skipped. A missing key or null is
// null; nested objects and arrays are kept as their minified JSON text in a string column.
// Numbers keep their exact digits where the column asks for it (decimal, string).
//
// Speed: lines are parsed in place in the input window with simdjson On Demand, each
// object's fields walked once and matched to columns by guessing the next column first,
// then a hash. Nothing is allocated per row once buffers have grown.
#pragma once

#include <simdjson.h>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "s3dest/core/byte_source.hpp"
#include "s3dest/table/input_window.hpp"
#include "s3dest/table/reader_errors.hpp"
#include "s3dest/table/row_arena.hpp"
#include "s3dest/table/row_reader.hpp"
#include "s3dest/table/type_inference.hpp"
#include "s3dest/table/value_conversion.hpp"

namespace s3dest {

class NdjsonReader final : public RowReader {
 public:
  static Result<std::unique_ptr<NdjsonReader>> open(std::unique_ptr<ByteSource> source,
                                                    const ReaderOptions& options);
  // Over a window of its own: InputWindow::over_bytes() parses an input in memory in place.
  static Result<std::unique_ptr<NdjsonReader>> open(InputWindow window, const ReaderOptions& options);
  const Schema& schema() const override { return schema_; }
  Result<bool> next(Row& row) override;
  const std::string& name() const override { return errors_.file(); }
  uint64_t line() const override { return row_line_; }

 private:
  NdjsonReader(InputWindow window, const ReaderOptions& options)
      : window_(std::move(window)), errors_(window_.name(), options), line_no_(options.first_line_offset) {}

  Result<bool> next_line(std::string_view& line, uint64_t& line_no);
  Status infer_schema(const ReaderOptions& options);
  Status observe_line(const char* p, size_t len, size_t capacity, uint64_t line);
  Result<ValueKind> kind_of(simdjson::ondemand::value& value, uint64_t line);
  void index_columns();
  Status parse_row(const char* p, size_t len, size_t capacity, uint64_t line, Row& row);
  Status read_value(simdjson::ondemand::value& value, size_t column, uint64_t line, Value& out);
  Status read_string(simdjson::ondemand::value& value, const Column& column, uint64_t line, Value& out);
  Status read_number(simdjson::ondemand::value& value, const Column& column, uint64_t line, Value& out);
  Result<std::string_view> number_text(simdjson::ondemand::value& value, uint64_t line) const;
  Result<std::string_view> nested_text(simdjson::ondemand::value& value,
                                       simdjson::ondemand::json_type type, uint64_t line);
  Status start_document(const char* p, size_t len, size_t capacity, uint64_t line,
                        simdjson::ondemand::document& doc, simdjson::ondemand::object& object);
  Status unknown_key(uint64_t line, std::string_view key) const;
  Status json_error(uint64_t line, simdjson::error_code error) const;

  InputWindow window_;
  ReaderErrors errors_;
  Schema schema_;
  simdjson::ondemand::parser parser_;
  std::unique_ptr<simdjson::dom::parser> nested_parser_;  // validates nested values fully
  std::vector<std::string_view> names_;                    // schema_'s names, for the guess
  std::vector<bool> plain_name_;                           // names_[i] needs no JSON escapes
  std::unordered_map<std::string_view, size_t> column_of_;
  std::vector<size_t> required_;  // columns that may not be null
  std::vector<uint64_t> seen_;    // per column, the last row that set it (duplicate keys)
  uint64_t row_stamp_ = 0;
  RowArena arena_;
  uint64_t line_no_ = 0;
  uint64_t row_line_ = 0;  // line of the row last read

  // While inferring: the keys met so far and what their values looked like.
  std::vector<std::string> sample_names_;
  std::unordered_map<std::string, size_t> sample_column_of_;
  TypeInference inference_;
  // The rows read to infer the schema, replayed by next() before reading on.
  struct SampleLine {
    size_t offset, size;
    uint64_t line;
  };
  std::string sample_text_;
  std::vector<SampleLine> samples_;
  size_t next_sample_ = 0;
};

}  // namespace s3dest

// ---------------------------------------------------------------------------------------

namespace s3dest {
namespace detail {

// JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?. simdjson hands
// number tokens over unchecked when we only want their text.
inline bool is_json_number(std::string_view t) {
  size_t i = 0;
  const size_t n = t.size();
  const auto digits = [&] {
    const size_t start = i;
    while (i < n && t[i] >= '0' && t[i] <= '9') ++i;
    return i > start;
  };
  if (i < n && t[i] == '-') ++i;
  if (i < n && t[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < n && t[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < n && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < n && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == n;
}

inline std::string_view trim_json_space(std::string_view t) {
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\n' || t.back() == '\r'))
    t.remove_suffix(1);
  return t;
}

// The key's text: a view into the line when it has no escapes (the usual case), else
// unescaped into the parser's string buffer. simdjson has checked that the key's string
// is closed, so the scan stops inside it.
inline simdjson::error_code key_of(simdjson::ondemand::field& field, std::string_view& key) {
  const char* raw = field.key().raw();
  const char* end = raw;
  while (*end != '"' && *end != '\\') ++end;
  if (*end == '"') {
    key = std::string_view(raw, static_cast<size_t>(end - raw));
    return simdjson::SUCCESS;
  }
  return field.unescaped_key().get(key);
}

// memcmp(a, b, n) == 0 for the short keys of JSON objects, without a library call.
inline bool same_bytes(const char* a, const char* b, size_t n) {
  if (n >= 8) {
    uint64_t x, y;
    for (size_t i = 0; i + 8 <= n; i += 8) {
      std::memcpy(&x, a + i, 8);
      std::memcpy(&y, b + i, 8);
      if (x != y) return false;
    }
    std::memcpy(&x, a + n - 8, 8);  // the tail, overlapping the last whole word
    std::memcpy(&y, b + n - 8, 8);
    return x == y;
  }
  for (size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

// A name whose JSON spelling is the name itself: no quote, backslash or control character.
inline bool is_plain_json_name(std::string_view name) {
  for (char c : name)
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return false;
  return true;
}

inline bool is_blank_line(std::string_view line) {
  for (char c : line)
    if (c != ' ' && c != '\t' && c != '\r') return false;
  return true;
}

}  // namespace detail

inline Result<std::unique_ptr<NdjsonReader>> NdjsonReader::open(std::unique_ptr<ByteSource> source,
                                                                 const ReaderOptions& options) {
  return open(InputWindow(std::move(source), options.max_line_bytes), options);
}

inline Result<std::unique_ptr<NdjsonReader>> NdjsonReader::open(InputWindow window, const ReaderOptions& options) {
  if (options.schema) S3DEST_TRY(check_reader_schema(*options.schema));
  std::unique_ptr<NdjsonReader> reader(new NdjsonReader(std::move(window), options));
  if (reader->parser_.allocate(64 * 1024) != simdjson::SUCCESS)
    return internal_error("out of memory for the JSON parser");
  S3DEST_TRY(reader->window_.skip_utf8_bom());
  if (options.schema) {
    reader->schema_ = *options.schema;
  } else {
    S3DEST_TRY(reader->infer_schema(options));
  }
  reader->index_columns();
  return reader;
}

inline Result<bool> NdjsonReader::next_line(std::string_view& line, uint64_t& line_no) {
  for (;;) {
    const Result<bool> more = window_.next_line(line);
    if (!more.ok()) {  // a line too long is told at its line; a read error names the file already
      return window_.over_line_limit() ? more.status().prefixed(errors_.where(line_no_ + 1)) : more.status();
    }
    if (!*more) return false;
    line_no = ++line_no_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!detail::is_blank_line(line)) return true;
  }
}

inline Status NdjsonReader::infer_schema(const ReaderOptions& options) {
  const size_t wanted = errors_.inference_rows();
  std::string_view line;
  uint64_t line_no = 0;
  while (samples_.size() < wanted && sample_text_.size() < errors_.inference_bytes()) {
    S3DEST_ASSIGN_OR_RETURN(const bool more, next_line(line, line_no));
    if (!more) break;
    S3DEST_TRY(observe_line(line.data(), line.size(), window_.capacity_from(line.data()), line_no));
    samples_.push_back(SampleLine{sample_text_.size(), line.size(), line_no});
    sample_text_.append(line.data(), line.size());
    sample_text_.push_back('\n');
  }
  sample_text_.append(kInputPadding, ' ');  // simdjson's padding for the replay
  schema_ = inference_.schema(sample_names_, options.time_columns);
  sample_names_.clear();
  sample_column_of_.clear();
  return {};
}

inline Status NdjsonReader::start_document(const char* p, size_t len, size_t capacity, uint64_t line,
                                           simdjson::ondemand::document& doc,
                                           simdjson::ondemand::object& object) {
  if (parser_.capacity() < len &&
      parser_.allocate(std::max(len, 2 * parser_.capacity())) != simdjson::SUCCESS)
    return internal_error("out of memory for the JSON parser");
  if (auto error = parser_.iterate(p, len, capacity).get(doc)) return json_error(line, error);
  simdjson::ondemand::json_type type;
  if (auto error = doc.type().get(type)) return json_error(line, error);
  if (type != simdjson::ondemand::json_type::object) {
    return input_error(errors_.where(line) + "each line must hold one JSON object, and this one holds " +
                       (type == simdjson::ondemand::json_type::array ? "an array" : "a single value") +
                       " " + shorten_for_message(std::string_view(p, len)));
  }
  if (auto error = doc.get_object().get(object)) return json_error(line, error);
  return {};
}

// Learns the keys and what their values look like, from one of the first rows.
inline Status NdjsonReader::observe_line(const char* p, size_t len, size_t capacity, uint64_t line) {
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  S3DEST_TRY(start_document(p, len, capacity, line, doc, object));
  ++row_stamp_;
  for (auto field_result : object) {
    if (auto error = field_result.error()) return json_error(line, error);
    simdjson::ondemand::field& field = field_result.value_unsafe();
    std::string_view key;
    if (auto error = detail::key_of(field, key)) return json_error(line, error);
    auto it = sample_column_of_.find(std::string(key));
    if (it == sample_column_of_.end()) {
      it = sample_column_of_.emplace(std::string(key), sample_names_.size()).first;
      sample_names_.emplace_back(key);
      seen_.push_back(0);
      S3DEST_TRY(errors_.check_column_count(line, sample_names_.size()));
    }
    const size_t column = it->second;
    if (seen_[column] == row_stamp_) {
      return input_error(errors_.where(line) + "key '" + std::string(key) +
                         "' appears twice in the object; keep one of them");
    }
    seen_[column] = row_stamp_;
    S3DEST_ASSIGN_OR_RETURN(const ValueKind kind, kind_of(field.value(), line));
    inference_.observe(column, kind);
  }
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    return input_error(errors_.where(line) +
                       "more than one JSON value on the line; put each object on its own line");
  }
  return {};
}

inline Result<ValueKind> NdjsonReader::kind_of(simdjson::ondemand::value& value, uint64_t line) {
  using simdjson::ondemand::json_type;
  json_type type;
  if (auto error = value.type().get(type)) return json_error(line, error);
  switch (type) {
    case json_type::string: {
      std::string_view s;
      if (auto error = value.get_string().get(s)) return json_error(line, error);
      return kind_of_json_string(s);
    }
    case json_type::number: {
      int64_t i;
      if (value.get_int64().get(i) == simdjson::SUCCESS) return ValueKind::integer;
      S3DEST_TRY(number_text(value, line).status());
      return ValueKind::real;  // fractions, exponents, and integers too big for int64
    }
    case json_type::boolean: {
      bool b;
      if (auto error = value.get_bool().get(b)) return json_error(line, error);
      return ValueKind::boolean;
    }
    case json_type::null: {
      bool null = false;
      if (auto error = value.is_null().get(null)) return json_error(line, error);
      if (!null) return json_error(line, simdjson::N_ATOM_ERROR);
      return ValueKind::null;
    }
    case json_type::object:
    case json_type::array: {
      S3DEST_ASSIGN_OR_RETURN(const std::string_view text, nested_text(value, type, line));
      (void)text;
      return ValueKind::text;
    }
  }
  return json_error(line, simdjson::INCORRECT_TYPE);
}

inline void NdjsonReader::index_columns() {
  const size_t n = schema_.columns.size();
  names_.clear();
  plain_name_.clear();
  column_of_.clear();
  required_.clear();
  for (size_t i = 0; i < n; ++i) {
    names_.push_back(schema_.columns[i].name);
    plain_name_.push_back(detail::is_plain_json_name(schema_.columns[i].name));
    column_of_.emplace(schema_.columns[i].name, i);
    if (!schema_.columns[i].nullable) required_.push_back(i);
  }
  seen_.assign(n, 0);
  row_stamp_ = 0;
}

inline Result<bool> NdjsonReader::next(Row& row) {
  if (next_sample_ < samples_.size()) {
    const SampleLine& s = samples_[next_sample_++];
    S3DEST_TRY(parse_row(sample_text_.data() + s.offset, s.size, sample_text_.size() - s.offset, s.line, row));
    return true;
  }
  if (!samples_.empty()) {  // replay done; the last sample's views are no longer needed
    samples_ = {};
    sample_text_ = {};
  }
  std::string_view line;
  uint64_t line_no = 0;
  S3DEST_ASSIGN_OR_RETURN(const bool more, next_line(line, line_no));
  if (!more) return false;
  S3DEST_TRY(parse_row(line.data(), line.size(), window_.capacity_from(line.data()), line_no, row));
  return true;
}

inline Status NdjsonReader::parse_row(const char* p, size_t len, size_t capacity, uint64_t line, Row& row) {
  row_line_ = line;
  const size_t n = schema_.columns.size();
  reset_to_nulls(row, n);
  arena_.clear();
  ++row_stamp_;
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  S3DEST_TRY(start_document(p, len, capacity, line, doc, object));
  size_t guess = 0;  // objects usually list their keys in the same order
  for (auto field_result : object) {
    if (auto error = field_result.error()) return json_error(line, error);
    simdjson::ondemand::field& field = field_result.value_unsafe();
    const char* raw_key = field.key().raw();
    size_t column;
    std::string_view key;
    if (guess < n && plain_name_[guess] && static_cast<size_t>(p + len - raw_key) > names_[guess].size() &&
        detail::same_bytes(raw_key, names_[guess].data(), names_[guess].size()) &&
        raw_key[names_[guess].size()] == '"') {
      column = guess;  // no escapes in the name, so the quote after it ends the key
    } else {
      if (auto error = detail::key_of(field, key)) return json_error(line, error);
      const auto it = column_of_.find(key);
      if (it == column_of_.end()) {
        bool null = false;  // a key with a null value loses nothing: let it pass
        if (field.value().is_null().get(null) == simdjson::SUCCESS && null) continue;
        return unknown_key(line, key);
      }
      column = it->second;
    }
    guess = column + 1;
    if (seen_[column] == row_stamp_) {
      return input_error(errors_.where(line) + "key '" + schema_.columns[column].name +
                         "' appears twice in the object; keep one of them");
    }
    seen_[column] = row_stamp_;
    S3DEST_TRY(read_value(field.value(), column, line, row[column]));
  }
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    return input_error(errors_.where(line) +
                       "more than one JSON value on the line; put each object on its own line");
  }
  for (size_t column : required_)
    if (row[column].is_null) return errors_.null_in_required(line, schema_.columns[column]);
  return {};
}

inline Status NdjsonReader::read_value(simdjson::ondemand::value& value, size_t column, uint64_t line,
                                       Value& out) {
  using simdjson::ondemand::json_type;
  const Column& col = schema_.columns[column];
  const ColumnType& type = col.type;
  json_type jtype;
  if (auto error = value.type().get(jtype)) return json_error(line, error);
  switch (jtype) {
    case json_type::string: return read_string(value, col, line, out);
    case json_type::number: return read_number(value, col, line, out);
    case json_type::boolean: {
      bool b;
      if (auto error = value.get_bool().get(b)) return json_error(line, error);
      if (type.id == TypeId::boolean) {
        out = Value::of_bool(b);
      } else if (type.id == TypeId::string) {
        out = Value::of_bytes(b ? "true" : "false");
      } else {
        const std::string_view text = b ? "true" : "false";
        return errors_.bad_value(line, col, std::string(text), value_problem(text, type));
      }
      return {};
    }
    case json_type::null: {
      bool null = false;
      if (auto error = value.is_null().get(null)) return json_error(line, error);
      if (!null) return json_error(line, simdjson::N_ATOM_ERROR);
      return {};  // out stays null
    }
    case json_type::object:
    case json_type::array: {
      S3DEST_ASSIGN_OR_RETURN(const std::string_view text, nested_text(value, jtype, line));
      if (type.id != TypeId::string) {
        return errors_.bad_value(line, col, shorten_for_message(text),
                                 std::string("is ") + (jtype == json_type::object ? "an object" : "an array") +
                                     ", which only a string column can hold");
      }
      out = Value::of_bytes(text);
      return {};
    }
  }
  return json_error(line, simdjson::INCORRECT_TYPE);
}

// A JSON string into `column`: its text converted, or a number, bool or NaN that a writer
// quoted (told as such).
inline Status NdjsonReader::read_string(simdjson::ondemand::value& value, const Column& column, uint64_t line,
                                        Value& out) {
  const ColumnType& type = column.type;
  std::string_view s;
  if (auto error = value.get_string().get(s)) return json_error(line, error);
  if (type.id == TypeId::string) {
    out = Value::of_bytes(s);
    return {};
  }
  const bool text_type = type.id == TypeId::binary || type.id == TypeId::date || type.id == TypeId::timestamp ||
                         type.id == TypeId::decimal;
  if (text_type && value_from_text(s, type, out, arena_)) return {};
  // JSON has no NaN or infinity: writers put them in strings ("NaN", "-Infinity").
  if (type.id == TypeId::float64) {
    if (const auto special = parse_non_finite(s)) {
      out = Value::of_double(*special);
      return {};
    }
  }
  if (!text_type && value_from_text(s, type, out, arena_)) {
    out = Value();
    return errors_.bad_value(line, column, quote_for_message(s),
                             "is a string: write it without quotes for a " + type.name() + " column");
  }
  return errors_.bad_value(line, column, quote_for_message(s), value_problem(s, type));
}

// A JSON number into `column`, keeping its exact digits where the column asks for them
// (decimal, string, a timestamp's epoch number).
inline Status NdjsonReader::read_number(simdjson::ondemand::value& value, const Column& column, uint64_t line,
                                        Value& out) {
  const ColumnType& type = column.type;
  switch (type.id) {
    case TypeId::int32:
    case TypeId::int64: {
      int64_t i;
      if (value.get_int64().get(i) == simdjson::SUCCESS &&
          (type.id == TypeId::int64 || (i >= INT32_MIN && i <= INT32_MAX))) {
        out = Value::of_int(i);
        return {};
      }
      break;
    }
    case TypeId::float64: {
      double d;
      if (value.get_double().get(d) == simdjson::SUCCESS) {
        out = Value::of_double(d);
        return {};
      }
      break;
    }
    case TypeId::timestamp: {  // a number since the epoch, when the column has a unit
      if (type.unit == EpochUnit::none) break;
      S3DEST_ASSIGN_OR_RETURN(const std::string_view raw, number_text(value, line));
      if (const auto micros = parse_epoch(raw, type.unit)) {
        out = Value::of_int(*micros);
        return {};
      }
      return errors_.bad_value(line, column, std::string(raw), value_problem(raw, type));
    }
    case TypeId::decimal: {
      S3DEST_ASSIGN_OR_RETURN(const std::string_view raw, number_text(value, line));
      if (const auto d = parse_decimal(raw, type)) {
        out = Value::of_decimal(*d);
        return {};
      }
      break;
    }
    case TypeId::string: {  // the number's exact text
      S3DEST_ASSIGN_OR_RETURN(const std::string_view raw, number_text(value, line));
      out = Value::of_bytes(raw);
      return {};
    }
    default:
      break;
  }
  S3DEST_ASSIGN_OR_RETURN(const std::string_view raw, number_text(value, line));
  std::string problem;
  if (type.id == TypeId::int32 || type.id == TypeId::int64) problem = integer_problem(raw, type);
  else if (type.id == TypeId::float64) problem = "is out of the double range";
  else problem = value_problem(raw, type);
  return errors_.bad_value(line, column, shorten_for_message(raw), problem);
}

// A number's text as the input spells it, checked against JSON's grammar (is_json_number).
inline Result<std::string_view> NdjsonReader::number_text(simdjson::ondemand::value& value, uint64_t line) const {
  const std::string_view raw = detail::trim_json_space(value.raw_json_token());
  if (!detail::is_json_number(raw)) return json_error(line, simdjson::NUMBER_ERROR);
  return raw;
}

// A nested object or array as minified JSON text (in the row arena), checked in full:
// On Demand only skips over values we do not read.
inline Result<std::string_view> NdjsonReader::nested_text(simdjson::ondemand::value& value,
                                                         simdjson::ondemand::json_type type, uint64_t line) {
  std::string_view raw;
  simdjson::error_code error;
  if (type == simdjson::ondemand::json_type::object) {
    simdjson::ondemand::object object;
    error = value.get_object().get(object);
    if (!error) error = object.raw_json().get(raw);
  } else {
    simdjson::ondemand::array array;
    error = value.get_array().get(array);
    if (!error) error = array.raw_json().get(raw);
  }
  if (error) return json_error(line, error);
  raw = detail::trim_json_space(raw);
  if (!nested_parser_) nested_parser_.reset(new simdjson::dom::parser());
  // raw points into a padded buffer (the window or the sample text), so no copy is needed.
  simdjson::dom::element element;
  if ((error = nested_parser_->parse(raw.data(), raw.size(), false).get(element))) return json_error(line, error);
  char* dst = arena_.allocate(raw.size() + simdjson::SIMDJSON_PADDING);
  size_t size = 0;
  if ((error = simdjson::minify(raw.data(), raw.size(), dst, size))) return json_error(line, error);
  return std::string_view(dst, size);
}

inline Status NdjsonReader::unknown_key(uint64_t line, std::string_view key) const {
  std::string message = errors_.where(line) + "key '" + std::string(key) + "' is not a column";
  if (errors_.inferred()) {
    message += " (the columns are the keys of the first " + std::to_string(errors_.inference_rows()) +
               " rows); list every column with --schema";
  } else if (!errors_.origin().empty()) {
    message += " (columns " + errors_.origin() + "); list every column with --schema";
  } else {
    message += " of the --schema file; add it there";
  }
  return input_error(message);
}

inline Status NdjsonReader::json_error(uint64_t line, simdjson::error_code error) const {
  return input_error(errors_.where(line) + "not valid JSON (" + simdjson::error_message(error) +
                     "); each line must hold one JSON object");
}

}  // namespace s3dest
