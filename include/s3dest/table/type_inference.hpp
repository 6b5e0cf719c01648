// Choosing column types from the first rows of an input that came without a schema.
// Readers classify each sample value (ValueKind) and TypeInference combines what one
// column saw: integers -> int64; integers and other numbers -> double; true/false -> bool;
// dates (YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD) -> date; timestamps (parse_timestamp), or
// timestamps and dates -> timestamp; anything else, a mix, or only nulls -> string. A later value that does not fit is the reader's input error, which suggests
// --schema: guessing wider types on the fly would change a column's type mid-file.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "s3dest/table/schema.hpp"

namespace s3dest {

// What one sample value looks like, as far as choosing a type goes.
enum class ValueKind : uint8_t { null, integer, real, boolean, date, timestamp, text };

// The kind of a csv field's text: "12" integer, "1.5" real, "true" boolean, "2024-01-31"
// date, "2024-01-31T10:00:00Z" timestamp, anything else text. Numbers with a leading zero
// ("007", zip codes) stay text so their digits survive. The caller decides null (an empty
// unquoted field).
ValueKind kind_of_text(std::string_view text);

// The kind of a JSON string value: a date, a timestamp or text. (JSON numbers and booleans
// have their own kinds; numbers in strings stay strings.)
ValueKind kind_of_json_string(std::string_view text);

class TypeInference {
 public:
  // Records that `column` (grown on demand) held a value of `kind`.
  void observe(size_t column, ValueKind kind);
  // The type the values seen in `column` fit.
  ColumnType type_of(size_t column) const;
  // A nullable column per name, typed from what was observed. `time_columns` have the type
  // they declare if it has a format or unit, else they are a timestamp if one was
  // observed in them and a date if not, whatever else they held.
  Schema schema(const std::vector<std::string>& names, const std::vector<Column>& time_columns = {}) const;

 private:
  std::vector<uint8_t> seen_;  // per column, a bit per ValueKind
};

}  // namespace s3dest

// ---------------------------------------------------------------------------------------

#include "s3dest/core/civil_time.hpp"
#include "s3dest/core/numbers.hpp"
#include "s3dest/table/value_conversion.hpp"

namespace s3dest {
namespace detail {

constexpr uint8_t kind_bit(ValueKind kind) { return static_cast<uint8_t>(1u << static_cast<unsigned>(kind)); }

// "0", "-0", "0.5" are numbers; "007" and "-01.5" are codes whose leading zero matters.
inline bool has_leading_zero(std::string_view text) {
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) text.remove_prefix(1);
  return text.size() >= 2 && text[0] == '0' && text[1] >= '0' && text[1] <= '9';
}

}  // namespace detail

inline ValueKind kind_of_text(std::string_view text) {
  if (text.empty()) return ValueKind::text;
  if (parse_non_finite(text)) return ValueKind::real;  // nan, inf, -Infinity, ...
  const char c = text[0];
  if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') {
    const ValueKind time_kind = kind_of_json_string(text);
    if (time_kind != ValueKind::text) return time_kind;
    if (detail::has_leading_zero(text)) return ValueKind::text;
    if (parse_int64(text)) return ValueKind::integer;
    if (parse_double(text)) return ValueKind::real;
    return ValueKind::text;
  }
  bool b;
  if (parse_bool_text(text, b)) return ValueKind::boolean;
  return ValueKind::text;
}

inline ValueKind kind_of_json_string(std::string_view text) {
  // JSON has no NaN or infinity, so writers put them in strings: numbers still.
  if (parse_non_finite(text)) return ValueKind::real;
  // Cheap shape test first: most strings are not dates.
  if (!has_date_shape(text)) return ValueKind::text;
  if (text.size() == 10) return parse_date(text) ? ValueKind::date : ValueKind::text;
  return parse_timestamp(text) ? ValueKind::timestamp : ValueKind::text;
}

inline void TypeInference::observe(size_t column, ValueKind kind) {
  if (column >= seen_.size()) seen_.resize(column + 1, 0);
  seen_[column] |= detail::kind_bit(kind);
}

inline ColumnType TypeInference::type_of(size_t column) const {
  using detail::kind_bit;
  const uint8_t seen = column < seen_.size() ? seen_[column] & ~kind_bit(ValueKind::null) : 0;
  const auto only = [seen](uint8_t bits) { return seen != 0 && (seen & ~bits) == 0; };
  ColumnType type;  // string
  if (only(kind_bit(ValueKind::integer))) type.id = TypeId::int64;
  else if (only(kind_bit(ValueKind::integer) | kind_bit(ValueKind::real))) type.id = TypeId::float64;
  else if (only(kind_bit(ValueKind::boolean))) type.id = TypeId::boolean;
  else if (only(kind_bit(ValueKind::date))) type.id = TypeId::date;
  else if (only(kind_bit(ValueKind::timestamp) | kind_bit(ValueKind::date))) type.id = TypeId::timestamp;  // a date is its midnight
  return type;
}

inline Schema TypeInference::schema(const std::vector<std::string>& names,
                                    const std::vector<Column>& time_columns) const {
  Schema schema;
  schema.columns.reserve(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    ColumnType type = type_of(i);
    const auto declared = std::find_if(time_columns.begin(), time_columns.end(),
                                       [&](const Column& c) { return c.name == names[i]; });
    if (declared != time_columns.end()) {
      const bool spelled = !declared->type.format.empty() || declared->type.unit != EpochUnit::none;
      const bool timestamps = i < seen_.size() && (seen_[i] & detail::kind_bit(ValueKind::timestamp)) != 0;
      type = spelled ? declared->type : ColumnType(timestamps ? TypeId::timestamp : TypeId::date);
    }
    schema.columns.push_back(Column{names[i], type, true});
  }
  return schema;
}

}  // namespace s3dest
