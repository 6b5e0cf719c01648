// CSV as DESIGN.md fixes it (RFC 4180 with a chosen separator): a header row; a field is
// quoted only when it holds the separator, a quote, CR or LF, or is an empty string (or
// is the first column's name and starts with a byte order mark);
// quotes inside are doubled; null is an empty unquoted field; lines end with '\n'.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "s3dest/core/byte_words.hpp"
#include "s3dest/format/text_values.hpp"
#include "s3dest/table/row.hpp"
#include "s3dest/table/schema.hpp"

namespace s3dest {

class CsvEncoder {
 public:
  CsvEncoder(const Schema& schema, char separator) : schema_(schema), separator_(separator) {}

  void append_header(std::string& out) const;
  void append_row(const Row& row, std::string& out) const;

 private:
  // The bytes `text` takes as a field: its own, or quoted with its quotes doubled.
  size_t field_size(std::string_view text) const;
  // Writes `text` as a field of field_size(text) == `size` bytes at `p`; returns the end.
  static char* write_field(char* p, std::string_view text, size_t size);

  const Schema& schema_;
  char separator_;
};

inline void CsvEncoder::append_header(std::string& out) const {
  for (size_t i = 0; i < schema_.size(); ++i) {
    if (i > 0) out.push_back(separator_);
    const std::string& name = schema_.columns[i].name;
    const size_t start = out.size();
    size_t size = field_size(name);
    // The file's first bytes: a name that starts with a byte order mark is quoted, or
    // readers (ours too) would take the mark off as the file's own and misname the column.
    if (i == 0 && size == name.size() && name.compare(0, 3, "\xEF\xBB\xBF") == 0) size = name.size() + 2;
    out.resize(start + size);
    write_field(&out[start], name, size);
  }
  out.push_back('\n');
}

inline void CsvEncoder::append_row(const Row& row, std::string& out) const {
  const size_t columns = schema_.size();
  std::vector<size_t>& string_sizes = row_string_sizes(columns);
  size_t bound = columns;  // separators and the line end
  for (size_t i = 0; i < columns; ++i) {
    const Value& value = row[i];
    if (value.is_null) continue;
    const ColumnType& type = schema_.columns[i].type;
    if (type.id == TypeId::string) bound += string_sizes[i] = field_size(value.bytes);
    else if (type.id == TypeId::binary && value.bytes.empty()) bound += 2;
    else bound += value_text_bound(type, value);
  }
  const size_t start = out.size();
  out.resize(start + bound);
  char* p = &out[start];
  for (size_t i = 0; i < columns; ++i) {
    if (i > 0) *p++ = separator_;
    const Value& value = row[i];
    if (value.is_null) continue;  // null: an empty, unquoted field
    const ColumnType& type = schema_.columns[i].type;
    if (type.id == TypeId::string) {
      p = write_field(p, value.bytes, string_sizes[i]);
    } else if (type.id == TypeId::binary && value.bytes.empty()) {
      *p++ = '"';  // empty, not null
      *p++ = '"';
    } else {
      // No other type's text can hold a separator, a quote or a line break.
      p = write_value_text(p, type, value);
    }
  }
  *p++ = '\n';
  out.resize(static_cast<size_t>(p - out.data()));
}

inline size_t CsvEncoder::field_size(std::string_view text) const {
  if (text.empty()) return 2;  // "": an empty string, not null
  // Most fields need no quotes: eight bytes at a time show it (and the words passed over
  // hold no quotes to count).
  const auto separator = static_cast<unsigned char>(separator_);
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    const uint64_t word = load_word(text.data() + i);
    const uint64_t found =
        bytes_equal(word, separator) | bytes_equal(word, '"') | bytes_equal(word, '\n') | bytes_equal(word, '\r');
    if (found != 0) break;
  }
  size_t quotes = 0;
  bool needs_quotes = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    quotes += c == '"';
    needs_quotes |= c == separator_ || c == '"' || c == '\n' || c == '\r';
  }
  return needs_quotes ? text.size() + quotes + 2 : text.size();
}

inline char* CsvEncoder::write_field(char* p, std::string_view text, size_t size) {
  if (size == text.size()) {
    if (size > 0) std::memcpy(p, text.data(), size);
    return p + size;
  }
  *p++ = '"';
  for (const char c : text) {
    *p++ = c;
    if (c == '"') *p++ = '"';
  }
  *p++ = '"';
  return p;
}

}  // namespace s3dest
