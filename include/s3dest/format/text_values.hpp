// How a non-null value is spelled in the text formats (csv and JSON Lines share it):
// booleans true/false, exact integers, shortest round-trip doubles, YYYY-MM-DD dates,
// RFC 3339 UTC timestamps, exact decimals with their scale, binary as base64.
//
// The encoders size a row first and then write it in place: an append to a string per
// value costs more than formatting most values.
#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "s3dest/core/civil_time.hpp"
#include "s3dest/core/numbers.hpp"
#include "s3dest/crypto/base64.hpp"
#include "s3dest/table/decimal.hpp"
#include "s3dest/table/row.hpp"
#include "s3dest/table/schema.hpp"

namespace s3dest {

// This thread's list of a row's string sizes, at least `columns` long: an encoder's first
// pass sizes each string field (quotes or escapes included) and its second writes it at
// that size, so each string is scanned once.
inline std::vector<size_t>& row_string_sizes(size_t columns) {
  thread_local std::vector<size_t> sizes;
  if (sizes.size() < columns) sizes.resize(columns);
  return sizes;
}

// The most bytes write_value_text writes for `value`, not null, of `type`.
inline size_t value_text_bound(const ColumnType& type, const Value& value) {
  switch (type.id) {
    case TypeId::string: return value.bytes.size();
    case TypeId::binary: return base64_size(value.bytes.size());
    case TypeId::boolean: return 5;
    case TypeId::int32:
    case TypeId::int64: return kMaxIntText;
    case TypeId::float64: return kMaxDoubleText;
    case TypeId::date: return kMaxDateText;
    case TypeId::timestamp: return kMaxTimestampText;
    case TypeId::decimal: return kMaxDecimalText;
  }
  return 0;
}

// Writes the text of `value`, not null, at `p`, which has room for value_text_bound bytes;
// returns the end.
inline char* write_value_text(char* p, const ColumnType& type, const Value& value) {
  switch (type.id) {
    case TypeId::string:
      if (!value.bytes.empty()) std::memcpy(p, value.bytes.data(), value.bytes.size());
      return p + value.bytes.size();
    case TypeId::binary: return write_base64(p, value.bytes);
    case TypeId::boolean:
      std::memcpy(p, value.boolean ? "true" : "false", value.boolean ? 4 : 5);
      return p + (value.boolean ? 4 : 5);
    case TypeId::int32:
    case TypeId::int64: return write_int(p, value.integer);
    case TypeId::float64: return write_double(p, value.real);
    case TypeId::date: return write_date(p, static_cast<int32_t>(value.integer));
    case TypeId::timestamp: return write_timestamp(p, value.integer);
    case TypeId::decimal: return write_decimal(p, value.decimal, type.scale);
  }
  return p;
}

inline void append_value_text(const ColumnType& type, const Value& value, std::string& out) {
  const size_t start = out.size();
  out.resize(start + value_text_bound(type, value));
  out.resize(static_cast<size_t>(write_value_text(&out[start], type, value) - out.data()));
}

}  // namespace s3dest
