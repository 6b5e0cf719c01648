// One row of values. Values do not own their bytes: strings point into the reader's
// buffers and stay valid until the reader reads the next row.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace s3dest {

__extension__ typedef __int128 int128_t;
__extension__ typedef unsigned __int128 uint128_t;

struct Value {
  bool is_null = true;
  bool boolean = false;
  int64_t integer = 0;   // int32, int64, date (days), timestamp (microseconds)
  double real = 0;       // double
  int128_t decimal = 0;  // unscaled, with the column's scale
  std::string_view bytes;  // string (UTF-8) and binary (raw bytes)

  static Value null() { return {}; }
  static Value of_bool(bool b) { Value v; v.is_null = false; v.boolean = b; return v; }
  static Value of_int(int64_t i) { Value v; v.is_null = false; v.integer = i; return v; }
  static Value of_double(double d) { Value v; v.is_null = false; v.real = d; return v; }
  static Value of_decimal(int128_t d) { Value v; v.is_null = false; v.decimal = d; return v; }
  static Value of_bytes(std::string_view s) { Value v; v.is_null = false; v.bytes = s; return v; }
};

// Values in schema column order.
using Row = std::vector<Value>;

// Makes `row` `columns` nulls, for the next row a reader reads into it. A null's other
// fields are never read, so a row reused row after row only has its null flags set: a
// fresh Value a column cost about 2% of a json load's CPU.
inline void reset_to_nulls(Row& row, size_t columns) {
  if (row.size() != columns) row.assign(columns, Value());
  for (Value& value : row) value.is_null = true;
}

}  // namespace s3dest
