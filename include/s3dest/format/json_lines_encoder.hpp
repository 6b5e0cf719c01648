// JSON Lines: one object per row, keys in column order, nulls as null. Integers, doubles
// and booleans are JSON numbers and booleans; every other type is a JSON string. Decimals
// are strings too ("12.50"), as BigQuery exports NUMERIC: most JSON readers parse every
// number as a double, which would drop digits past the 15th.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "s3dest/core/byte_words.hpp"
#include "s3dest/core/hex.hpp"
#include "s3dest/format/text_values.hpp"
#include "s3dest/table/row.hpp"
#include "s3dest/table/schema.hpp"

namespace s3dest {

class JsonLinesEncoder {
 public:
  explicit JsonLinesEncoder(const Schema& schema);

  void append_row(const Row& row, std::string& out) const;

 private:
  const Schema& schema_;
  std::vector<std::string> key_prefixes_;  // `{"name":` then `,"name":`, escaped once
  size_t key_prefixes_size_ = 0;           // their lengths, together
};

// Appends `text` as a JSON string literal. Input is valid UTF-8 (readers check it), so
// only the quote, the backslash and control characters need escaping.
void append_json_string(std::string& out, std::string_view text);

namespace detail {

// The bytes `text` takes as a JSON string literal, its quotes included. Most strings
// need no escapes: eight bytes at a time show it.
inline size_t json_string_size(std::string_view text) {
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    const uint64_t word = load_word(text.data() + i);
    if (bytes_below(word, 0x20) | bytes_equal(word, '"') | bytes_equal(word, '\\')) break;
  }
  size_t size = text.size() + 2;
  for (; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    const bool short_escape = c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f';
    size += short_escape ? 1 : 5;  // \n, or \u00XX
  }
  return size;
}

// Writes `text` as a JSON string literal of json_string_size(text) == `size` bytes at `p`;
// returns the end.
inline char* write_json_string(char* p, std::string_view text, size_t size) {
  *p++ = '"';
  if (size == text.size() + 2) {
    if (!text.empty()) std::memcpy(p, text.data(), text.size());
    p += text.size();
    *p++ = '"';
    return p;
  }
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c != '"' && c != '\\') {
      *p++ = ch;
      continue;
    }
    *p++ = '\\';
    switch (c) {
      case '"': *p++ = '"'; break;
      case '\\': *p++ = '\\'; break;
      case '\n': *p++ = 'n'; break;
      case '\r': *p++ = 'r'; break;
      case '\t': *p++ = 't'; break;
      case '\b': *p++ = 'b'; break;
      case '\f': *p++ = 'f'; break;
      default:
        *p++ = 'u';
        *p++ = '0';
        *p++ = '0';
        *p++ = hex_digit(c >> 4);
        *p++ = hex_digit(c);
    }
  }
  *p++ = '"';
  return p;
}

inline char* write_literal(char* p, std::string_view text) {
  std::memcpy(p, text.data(), text.size());
  return p + text.size();
}

// JSON has no NaN or infinity: they are the strings of the protobuf JSON mapping (and
// JavaScript), which s3dest's own reader takes back for a double column. "-0" reads back
// as the integer 0 in most JSON readers; "-0.0" keeps the sign.
inline constexpr size_t kMaxJsonDoubleText = kMaxDoubleText > 11 ? kMaxDoubleText : 11;  // "-Infinity"
inline char* write_json_double(char* p, double value) {
  if (value == 0 && std::signbit(value)) return write_literal(p, "-0.0");
  if (std::isnan(value)) return write_literal(p, "\"NaN\"");
  if (std::isinf(value)) return write_literal(p, value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  return write_double(p, value);
}

}  // namespace detail

inline JsonLinesEncoder::JsonLinesEncoder(const Schema& schema) : schema_(schema) {
  for (size_t i = 0; i < schema.size(); ++i) {
    std::string prefix = i == 0 ? "{" : ",";
    append_json_string(prefix, schema.columns[i].name);
    prefix.push_back(':');
    key_prefixes_size_ += prefix.size();
    key_prefixes_.push_back(std::move(prefix));
  }
}

inline void JsonLinesEncoder::append_row(const Row& row, std::string& out) const {
  const size_t columns = schema_.size();
  std::vector<size_t>& string_sizes = row_string_sizes(columns);
  size_t bound = key_prefixes_size_ + 3;  // and "}\n", or "{}\n" without columns
  for (size_t i = 0; i < columns; ++i) {
    const Value& value = row[i];
    const ColumnType& type = schema_.columns[i].type;
    if (value.is_null) bound += 4;
    else if (type.id == TypeId::string) bound += string_sizes[i] = detail::json_string_size(value.bytes);
    else if (type.id == TypeId::float64) bound += detail::kMaxJsonDoubleText;
    else bound += value_text_bound(type, value) + 2;  // quoted, or a number and a boolean
  }
  const size_t start = out.size();
  out.resize(start + bound);
  char* p = &out[start];
  if (columns == 0) *p++ = '{';
  for (size_t i = 0; i < columns; ++i) {
    p = detail::write_literal(p, key_prefixes_[i]);
    const Value& value = row[i];
    const ColumnType& type = schema_.columns[i].type;
    if (value.is_null) {
      p = detail::write_literal(p, "null");
      continue;
    }
    switch (type.id) {
      case TypeId::string: p = detail::write_json_string(p, value.bytes, string_sizes[i]); break;
      case TypeId::boolean:
      case TypeId::int32:
      case TypeId::int64: p = write_value_text(p, type, value); break;
      case TypeId::float64: p = detail::write_json_double(p, value.real); break;
      case TypeId::binary:
      case TypeId::date:
      case TypeId::timestamp:
      case TypeId::decimal:
        *p++ = '"';
        p = write_value_text(p, type, value);  // base64, ISO and digits need no escaping
        *p++ = '"';
        break;
    }
  }
  *p++ = '}';
  *p++ = '\n';
  out.resize(static_cast<size_t>(p - out.data()));
}

inline void append_json_string(std::string& out, std::string_view text) {
  const size_t start = out.size();
  const size_t size = detail::json_string_size(text);
  out.resize(start + size);
  detail::write_json_string(&out[start], text, size);
}

}  // namespace s3dest
