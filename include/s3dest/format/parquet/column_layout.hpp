// What each table column becomes in a parquet file: its physical type, its annotations
// (a LogicalType and the matching legacy ConvertedType, so old and new readers agree),
// how its values are laid out in PLAIN encoding and how its statistics are ordered.
//
//   string        BYTE_ARRAY, STRING / UTF8 (no annotation with binary strings)
//   binary        BYTE_ARRAY
//   bool          BOOLEAN
//   int32, int64  INT32, INT64
//   double        DOUBLE
//   date          INT32, DATE / DATE
//   timestamp     INT64, TIMESTAMP(isAdjustedToUTC, MICROS) / TIMESTAMP_MICROS
//   decimal(p,s)  INT32 (p <= 9), INT64 (p <= 18), else FIXED_LEN_BYTE_ARRAY of the
//                 fewest bytes that hold p digits; DECIMAL(p,s) / DECIMAL
// (parquet-format LogicalTypes.md; the decimal widths are the ones it recommends.)
//
// Enum values are those of parquet.thrift.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "s3dest/core/little_endian.hpp"
#include "s3dest/table/row.hpp"
#include "s3dest/table/schema.hpp"

namespace s3dest::parquet {

enum class PhysicalType : int32_t {
  boolean = 0,
  int32 = 1,
  int64 = 2,
  double_ = 5,
  byte_array = 6,
  fixed_len_byte_array = 7,
};

enum class ConvertedType : int32_t { none = -1, utf8 = 0, decimal = 5, date = 6, timestamp_micros = 10 };

enum class LogicalKind { none, string, decimal, date, timestamp_micros_utc };

// How min and max statistics compare values (the column orders of parquet.thrift's
// TypeDefinedOrder for each annotated type).
enum class SortOrder {
  signed_integer,     // INT32, INT64, and the dates, timestamps and decimals in them
  floating,           // DOUBLE: NaN takes no part
  boolean,            // false < true
  unsigned_bytes,     // strings and binary: byte by byte, unsigned
  signed_big_endian,  // decimals in FIXED_LEN_BYTE_ARRAY: two's complement, big-endian
};

struct ColumnLayout {
  std::string name;
  PhysicalType physical = PhysicalType::byte_array;
  int32_t type_length = 0;  // FIXED_LEN_BYTE_ARRAY only
  bool optional = true;     // nullable: OPTIONAL with definition levels; else REQUIRED
  LogicalKind logical = LogicalKind::none;
  ConvertedType converted = ConvertedType::none;
  int32_t precision = 0, scale = 0;  // decimals
  SortOrder order = SortOrder::signed_integer;
  // Bytes of one PLAIN value; 0 for BYTE_ARRAY, whose PLAIN form is a 4-byte
  // little-endian length and the bytes. BOOLEAN counts 1 here: one byte per value while
  // a page is open, bit-packed when it is written.
  uint32_t value_width = 0;
};

ColumnLayout column_layout(const Column& column, bool binary_strings);

// Fewest bytes whose two's complement holds every unscaled value of `precision` digits.
int32_t decimal_byte_width(int precision);

// Appends `value` (not null) in the column's PLAIN encoding (BOOLEAN as one byte, 0 or 1).
void append_plain_value(std::string& out, const ColumnLayout& layout, const Value& value);
// The same in two steps, for many values at once: the bytes `value` takes, and writing
// them at `at` (returns their end).
size_t plain_size(const ColumnLayout& layout, const Value& value);
char* write_plain_value(char* at, const ColumnLayout& layout, const Value& value);

// The bytes a statistic stores for a PLAIN value: the value itself, without BYTE_ARRAY's
// length prefix.
inline std::string_view statistic_bytes(const ColumnLayout& layout, std::string_view plain) {
  return layout.physical == PhysicalType::byte_array ? plain.substr(4) : plain;
}

// Is `a` < `b` in the column's sort order? Both are statistic bytes of non-NaN values.
bool statistic_less(SortOrder order, PhysicalType physical, std::string_view a, std::string_view b);

inline int32_t decimal_byte_width(int precision) {
  int128_t largest = 1;  // 10^precision - 1, the largest unscaled value
  for (int i = 0; i < precision; ++i) largest *= 10;
  largest -= 1;
  for (int32_t bytes = 1; bytes < 16; ++bytes) {
    const int128_t limit = (int128_t{1} << (8 * bytes - 1)) - 1;
    if (largest <= limit) return bytes;
  }
  return 16;
}

namespace detail {

// Bytes of one PLAIN value of the physical type (see ColumnLayout::value_width).
inline uint32_t plain_width(PhysicalType physical, int32_t type_length) {
  switch (physical) {
    case PhysicalType::boolean: return 1;
    case PhysicalType::int32: return 4;
    case PhysicalType::int64: return 8;
    case PhysicalType::double_: return 8;
    case PhysicalType::byte_array: return 0;
    case PhysicalType::fixed_len_byte_array: return static_cast<uint32_t>(type_length);
  }
  return 0;
}

// How statistics of the physical type compare; the annotations s3dest writes keep it.
inline SortOrder statistics_order(PhysicalType physical) {
  switch (physical) {
    case PhysicalType::boolean: return SortOrder::boolean;
    case PhysicalType::int32: return SortOrder::signed_integer;
    case PhysicalType::int64: return SortOrder::signed_integer;
    case PhysicalType::double_: return SortOrder::floating;
    case PhysicalType::byte_array: return SortOrder::unsigned_bytes;
    case PhysicalType::fixed_len_byte_array: return SortOrder::signed_big_endian;
  }
  return SortOrder::signed_integer;
}

// Stores the column as `physical`: the PLAIN width and the statistics order follow.
inline void store_as(ColumnLayout& c, PhysicalType physical, int32_t type_length = 0) {
  c.physical = physical;
  c.type_length = type_length;
  c.value_width = plain_width(physical, type_length);
  c.order = statistics_order(physical);
}

// The annotation, in the new form and the legacy one.
inline void annotate(ColumnLayout& c, LogicalKind logical, ConvertedType converted) {
  c.logical = logical;
  c.converted = converted;
}

// A decimal goes in the narrowest of INT32, INT64 and a fixed width that holds its digits.
inline void store_decimal(ColumnLayout& c, int32_t precision, int32_t scale) {
  annotate(c, LogicalKind::decimal, ConvertedType::decimal);
  c.precision = precision;
  c.scale = scale;
  if (precision <= 9) {
    store_as(c, PhysicalType::int32);
  } else if (precision <= 18) {
    store_as(c, PhysicalType::int64);
  } else {
    store_as(c, PhysicalType::fixed_len_byte_array, decimal_byte_width(precision));
  }
}

}  // namespace detail

inline ColumnLayout column_layout(const Column& column, bool binary_strings) {
  ColumnLayout c;
  c.name = column.name;
  c.optional = column.nullable;
  switch (column.type.id) {
    case TypeId::string:
      detail::store_as(c, PhysicalType::byte_array);
      if (!binary_strings) detail::annotate(c, LogicalKind::string, ConvertedType::utf8);
      break;
    case TypeId::binary: detail::store_as(c, PhysicalType::byte_array); break;
    case TypeId::boolean: detail::store_as(c, PhysicalType::boolean); break;
    case TypeId::int32: detail::store_as(c, PhysicalType::int32); break;
    case TypeId::int64: detail::store_as(c, PhysicalType::int64); break;
    case TypeId::float64: detail::store_as(c, PhysicalType::double_); break;
    case TypeId::date:
      detail::store_as(c, PhysicalType::int32);
      detail::annotate(c, LogicalKind::date, ConvertedType::date);
      break;
    case TypeId::timestamp:
      detail::store_as(c, PhysicalType::int64);
      detail::annotate(c, LogicalKind::timestamp_micros_utc, ConvertedType::timestamp_micros);
      break;
    case TypeId::decimal: detail::store_decimal(c, column.type.precision, column.type.scale); break;
  }
  return c;
}

inline size_t plain_size(const ColumnLayout& layout, const Value& value) {
  return layout.physical == PhysicalType::byte_array ? 4 + value.bytes.size() : layout.value_width;
}

inline char* write_plain_value(char* at, const ColumnLayout& layout, const Value& value) {
  switch (layout.physical) {
    case PhysicalType::boolean: *at = value.boolean ? '\1' : '\0'; return at + 1;
    case PhysicalType::int32:
      return s3dest::store_little_endian(
          at, static_cast<int32_t>(layout.logical == LogicalKind::decimal ? static_cast<int64_t>(value.decimal)
                                                                          : value.integer));
    case PhysicalType::int64:
      return s3dest::store_little_endian(
          at, layout.logical == LogicalKind::decimal ? static_cast<int64_t>(value.decimal) : value.integer);
    case PhysicalType::double_: return s3dest::store_little_endian(at, value.real);
    case PhysicalType::byte_array:
      at = s3dest::store_little_endian(at, static_cast<uint32_t>(value.bytes.size()));
      if (!value.bytes.empty()) std::memcpy(at, value.bytes.data(), value.bytes.size());
      return at + value.bytes.size();
    case PhysicalType::fixed_len_byte_array: {
      const auto bits = static_cast<uint128_t>(value.decimal);
      for (int i = layout.type_length - 1; i >= 0; --i) *at++ = static_cast<char>(bits >> (8 * i));
      return at;
    }
  }
  return at;
}

inline void append_plain_value(std::string& out, const ColumnLayout& layout, const Value& value) {
  const size_t start = out.size();
  out.resize(start + plain_size(layout, value));
  write_plain_value(out.data() + start, layout, value);
}

inline bool statistic_less(SortOrder order, PhysicalType physical, std::string_view a, std::string_view b) {
  switch (order) {
    case SortOrder::signed_integer:
      return physical == PhysicalType::int32
                 ? s3dest::load_little_endian<int32_t>(a) < s3dest::load_little_endian<int32_t>(b)
                 : s3dest::load_little_endian<int64_t>(a) < s3dest::load_little_endian<int64_t>(b);
    case SortOrder::floating: return s3dest::load_little_endian<double>(a) < s3dest::load_little_endian<double>(b);
    case SortOrder::boolean: return a[0] < b[0];
    case SortOrder::unsigned_bytes: {
      const int c = std::memcmp(a.data(), b.data(), a.size() < b.size() ? a.size() : b.size());
      return c != 0 ? c < 0 : a.size() < b.size();
    }
    case SortOrder::signed_big_endian: {
      // Equal widths; the sign lives in the first byte.
      const auto a0 = static_cast<signed char>(a[0]), b0 = static_cast<signed char>(b[0]);
      if (a0 != b0) return a0 < b0;
      return std::memcmp(a.data() + 1, b.data() + 1, a.size() - 1) < 0;
    }
  }
  return false;
}

}  // namespace s3dest::parquet
