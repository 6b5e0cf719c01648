// CSV as DESIGN.md fixes it (RFC 4180 with a chosen separator): a header row; a field is
// quoted only when it holds the separator, a quote, CR or LF, or is an empty string;
// quotes inside are doubled; null is an empty unquoted field; lines end with '\n'.
#pragma once

#include <string>
#include <string_view>

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
  void append_field(std::string_view text, std::string& out) const;

  const Schema& schema_;
  char separator_;
};

inline void CsvEncoder::append_header(std::string& out) const {
  for (size_t i = 0; i < schema_.size(); ++i) {
    if (i > 0) out.push_back(separator_);
    append_field(schema_.columns[i].name, out);
  }
  out.push_back('\n');
}

inline void CsvEncoder::append_row(const Row& row, std::string& out) const {
  for (size_t i = 0; i < schema_.size(); ++i) {
    if (i > 0) out.push_back(separator_);
    const Value& value = row[i];
    if (value.is_null) continue;  // null: an empty, unquoted field
    const ColumnType& type = schema_.columns[i].type;
    if (type.id == TypeId::string) {
      append_field(value.bytes, out);
    } else if (type.id == TypeId::binary && value.bytes.empty()) {
      out.append("\"\"");  // empty, not null
    } else {
      // No other type's text can hold a separator, a quote or a line break.
      append_value_text(type, value, out);
    }
  }
  out.push_back('\n');
}

inline void CsvEncoder::append_field(std::string_view text, std::string& out) const {
  bool needs_quotes = text.empty();
  for (const char c : text) {
    if (c == separator_ || c == '"' || c == '\n' || c == '\r') {
      needs_quotes = true;
      break;
    }
  }
  if (!needs_quotes) {
    out.append(text);
    return;
  }
  out.push_back('"');
  size_t start = 0;
  for (size_t quote = text.find('"'); quote != std::string_view::npos; quote = text.find('"', start)) {
    out.append(text.substr(start, quote + 1 - start));
    out.push_back('"');
    start = quote + 1;
  }
  out.append(text.substr(start));
  out.push_back('"');
}

}  // namespace s3dest
