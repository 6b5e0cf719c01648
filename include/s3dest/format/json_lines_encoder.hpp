// JSON Lines: one object per row, keys in column order, nulls as null. Integers, doubles
// and booleans are JSON numbers and booleans; every other type is a JSON string. Decimals
// are strings too ("12.50"), as BigQuery exports NUMERIC: most JSON readers parse every
// number as a double, which would drop digits past the 15th.
#pragma once

#include <cmath>
#include <string>
#include <string_view>
#include <vector>

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
};

// Appends `text` as a JSON string literal. Input is valid UTF-8 (readers check it), so
// only the quote, the backslash and control characters need escaping.
void append_json_string(std::string& out, std::string_view text);

inline JsonLinesEncoder::JsonLinesEncoder(const Schema& schema) : schema_(schema) {
  for (size_t i = 0; i < schema.size(); ++i) {
    std::string prefix = i == 0 ? "{" : ",";
    append_json_string(prefix, schema.columns[i].name);
    prefix.push_back(':');
    key_prefixes_.push_back(std::move(prefix));
  }
}

inline void JsonLinesEncoder::append_row(const Row& row, std::string& out) const {
  if (schema_.size() == 0) out.push_back('{');
  for (size_t i = 0; i < schema_.size(); ++i) {
    out.append(key_prefixes_[i]);
    const Value& value = row[i];
    const ColumnType& type = schema_.columns[i].type;
    if (value.is_null) {
      out.append("null");
      continue;
    }
    switch (type.id) {
      case TypeId::string: append_json_string(out, value.bytes); break;
      case TypeId::boolean:
      case TypeId::int32:
      case TypeId::int64: append_value_text(type, value, out); break;
      case TypeId::float64:
        // "-0" reads back as the integer 0 in most JSON readers; "-0.0" keeps the sign.
        // JSON has no NaN or infinity: they are the strings of the protobuf JSON mapping
        // (and JavaScript), which s3dest's own reader takes back for a double column.
        if (value.real == 0 && std::signbit(value.real)) out.append("-0.0");
        else if (std::isnan(value.real)) out.append("\"NaN\"");
        else if (std::isinf(value.real)) out.append(value.real > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        else append_value_text(type, value, out);
        break;
      case TypeId::binary:
      case TypeId::date:
      case TypeId::timestamp:
      case TypeId::decimal:
        out.push_back('"');
        append_value_text(type, value, out);  // base64, ISO and digits need no escaping
        out.push_back('"');
        break;
    }
  }
  out.append("}\n");
}

inline void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + start, i - start);
    start = i + 1;
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      default: {
        const char escape[] = {'\\', 'u', '0', '0', hex_digit(c >> 4), hex_digit(c)};
        out.append(escape, sizeof escape);
      }
    }
  }
  out.append(text.data() + start, text.size() - start);
  out.push_back('"');
}

}  // namespace s3dest
