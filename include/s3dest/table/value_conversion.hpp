// Text to typed values: how the readers turn a csv field or a JSON string into a value of
// its column's type, and how they say why one does not fit.
//
//   Value value;
//   if (!value_from_text(field, column.type, value, arena))
//     return errors.bad_value(line, column, quote_for_message(field), value_problem(field, column.type));
//
// Dates and timestamps are read as parse_date and parse_timestamp read them, or by the
// column's format or epoch unit (time_format.hpp); decimals never round (decimal.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "s3dest/table/row.hpp"
#include "s3dest/table/row_arena.hpp"
#include "s3dest/table/schema.hpp"

namespace s3dest {

// Converts `text` to `type` into `out`. A string views `text` itself; decoded binary
// lives in `arena`. False when the text does not fit; value_problem() then says why.
bool value_from_text(std::string_view text, const ColumnType& type, Value& out, RowArena& arena);

// Why `text` (already known not to fit) does not fit `type`, as the end of a sentence
// about the value: "is not a double", "does not match the format \"%d.%m.%Y\"".
std::string value_problem(std::string_view text, const ColumnType& type);

// Why a number's text does not fit an integer column: "is out of the int32 range" or
// "is not an int64".
std::string integer_problem(std::string_view text, const ColumnType& type);

// The spellings of booleans read from text: true, TRUE, True, false, FALSE, False.
bool parse_bool_text(std::string_view text, bool& out);

}  // namespace s3dest

// ---------------------------------------------------------------------------------------

#include "s3dest/core/civil_time.hpp"
#include "s3dest/core/numbers.hpp"
#include "s3dest/core/time_format.hpp"
#include "s3dest/crypto/base64.hpp"
#include "s3dest/table/decimal.hpp"

namespace s3dest {
namespace detail {

// Days since the epoch: parse_date's forms, or the column's format (the day the time
// falls on, UTC).
inline std::optional<int64_t> date_from_text(std::string_view text, const ColumnType& type) {
  if (type.format.empty()) return parse_date(text);
  if (const auto micros = parse_time_with_format(text, type.format)) return floor_div(*micros, kMicrosPerDay);
  return std::nullopt;
}

// Microseconds since the epoch: a number in the column's unit, by its format, or
// parse_timestamp's forms.
inline std::optional<int64_t> timestamp_from_text(std::string_view text, const ColumnType& type) {
  if (type.unit != EpochUnit::none) return parse_epoch(text, type.unit);
  if (type.format.empty()) return parse_timestamp(text);
  return parse_time_with_format(text, type.format);
}

}  // namespace detail

inline bool value_from_text(std::string_view text, const ColumnType& type, Value& out, RowArena& arena) {
  switch (type.id) {
    case TypeId::string:
      out = Value::of_bytes(text);
      return true;
    case TypeId::binary: {
      char* dst = arena.allocate(max_decoded_base64_size(text.size()) + 1);
      size_t n = 0;
      if (!decode_base64_to(text, dst, n)) return false;
      out = Value::of_bytes(std::string_view(dst, n));
      return true;
    }
    case TypeId::boolean: {
      bool b = false;
      if (!parse_bool_text(text, b)) return false;
      out = Value::of_bool(b);
      return true;
    }
    case TypeId::int32:
    case TypeId::int64: {
      const auto v = parse_int64(text);
      if (!v || (type.id == TypeId::int32 && (*v < INT32_MIN || *v > INT32_MAX))) return false;
      out = Value::of_int(*v);
      return true;
    }
    case TypeId::float64: {
      const auto v = parse_double(text);
      if (!v) return false;
      out = Value::of_double(*v);
      return true;
    }
    case TypeId::date:
    case TypeId::timestamp: {
      const auto v =
          type.id == TypeId::date ? detail::date_from_text(text, type) : detail::timestamp_from_text(text, type);
      if (!v) return false;
      out = Value::of_int(*v);
      return true;
    }
    case TypeId::decimal: {
      const auto v = parse_decimal(text, type);
      if (!v) return false;
      out = Value::of_decimal(*v);
      return true;
    }
  }
  return false;
}

inline std::string integer_problem(std::string_view text, const ColumnType& type) {
  const auto v = parse_int64(text);
  size_t digits = 0;
  for (char c : text) digits += (c >= '0' && c <= '9');
  const bool signed_text = !text.empty() && (text[0] == '-' || text[0] == '+');
  const bool integer_shaped = digits > 0 && digits + signed_text == text.size();
  if ((v && type.id == TypeId::int32) || (!v && integer_shaped))
    return "is out of the " + type.name() + " range";
  return "is not an " + type.name();
}

inline std::string value_problem(std::string_view text, const ColumnType& type) {
  switch (type.id) {
    case TypeId::binary: return "is not base64 (RFC 4648, with = padding)";
    case TypeId::boolean: return "is not a bool (true or false)";
    case TypeId::int32:
    case TypeId::int64: return integer_problem(text, type);
    case TypeId::float64: return "is not a double";
    case TypeId::date:
      if (!type.format.empty()) return "does not match the format \"" + type.format + "\"";
      return "is not a date (YYYY-MM-DD, YYYY/MM/DD or YYYY.MM.DD)";
    case TypeId::timestamp:
      if (!type.format.empty()) return "does not match the format \"" + type.format + "\"";
      if (type.unit != EpochUnit::none)
        return "is not a number of " + std::string(epoch_unit_name(type.unit)) +
               " since 1970-01-01 in the years 0001-9999 (with no digit finer than a microsecond)";
      return "is not a timestamp (like 2024-01-31T09:30:00Z, 2024-01-31 11:30:00.250+02:00 or 2024/01/31 09:30; "
             "at most 6 fractional digits that are not zero)";
    case TypeId::decimal:
      if (!parse_double(text)) return "is not a decimal number";
      return "does not fit " + type.name() + " without rounding";
    case TypeId::string: break;
  }
  return "does not fit a " + type.name() + " column";
}

inline bool parse_bool_text(std::string_view text, bool& out) {
  if (text == "true" || text == "TRUE" || text == "True") return out = true, true;
  if (text == "false" || text == "FALSE" || text == "False") return out = false, true;
  return false;
}

}  // namespace s3dest
