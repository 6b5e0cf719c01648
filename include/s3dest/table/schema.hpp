// The table's shape: named, typed, nullable columns. Every layer below speaks these types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "s3dest/core/status.hpp"
#include "s3dest/core/time_format.hpp"

namespace s3dest {

enum class TypeId : uint8_t {
  string,
  binary,
  boolean,
  int32,
  int64,
  float64,  // "double" in schema files
  date,       // days since 1970-01-01
  timestamp,  // microseconds since the epoch, UTC
  decimal,    // unscaled 128-bit integer with precision and scale
};

struct ColumnType {
  ColumnType(TypeId id_ = TypeId::string, uint8_t precision_ = 0, uint8_t scale_ = 0)
      : id(id_), precision(precision_), scale(scale_) {}

  TypeId id = TypeId::string;
  uint8_t precision = 0;  // decimal only: 1..38
  uint8_t scale = 0;      // decimal only: 0..precision
  // How the input spells a date or timestamp when not as parse_date / parse_timestamp
  // read it: a format (check_time_format), or for a timestamp a number of `unit`s since
  // the epoch. Neither changes what is written.
  std::string format;
  EpochUnit unit = EpochUnit::none;

  // "string", "int64", "decimal(12,2)", ... as written in schema files.
  std::string name() const;
  // Parses a schema file's type name.
  static Result<ColumnType> parse(std::string_view text);

  friend bool operator==(const ColumnType& a, const ColumnType& b) {
    return a.id == b.id && a.precision == b.precision && a.scale == b.scale && a.format == b.format &&
           a.unit == b.unit;
  }
  friend bool operator!=(const ColumnType& a, const ColumnType& b) { return !(a == b); }
};

struct Column {
  std::string name;
  ColumnType type;
  bool nullable = true;
};

struct Schema {
  std::vector<Column> columns;

  std::optional<size_t> find(std::string_view name) const {
    for (size_t i = 0; i < columns.size(); ++i)
      if (columns[i].name == name) return i;
    return std::nullopt;
  }
  size_t size() const { return columns.size(); }
};

inline std::string ColumnType::name() const {
  switch (id) {
    case TypeId::string: return "string";
    case TypeId::binary: return "binary";
    case TypeId::boolean: return "bool";
    case TypeId::int32: return "int32";
    case TypeId::int64: return "int64";
    case TypeId::float64: return "double";
    case TypeId::date: return "date";
    case TypeId::timestamp: return "timestamp";
    case TypeId::decimal:
      return "decimal(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
  }
  return "?";
}

inline Result<ColumnType> ColumnType::parse(std::string_view text) {
  struct Named { std::string_view name; TypeId id; };
  static constexpr Named kNames[] = {
      {"string", TypeId::string}, {"binary", TypeId::binary}, {"bool", TypeId::boolean},
      {"int32", TypeId::int32},   {"int64", TypeId::int64},   {"double", TypeId::float64},
      {"date", TypeId::date},     {"timestamp", TypeId::timestamp},
  };
  for (const auto& n : kNames)
    if (text == n.name) return ColumnType(n.id);
  constexpr std::string_view kDecimal = "decimal(";
  if (text.substr(0, kDecimal.size()) == kDecimal && text.back() == ')') {
    const std::string_view args = text.substr(kDecimal.size(), text.size() - kDecimal.size() - 1);
    const size_t comma = args.find(',');
    unsigned p = 0, s = 0;
    bool ok = comma != std::string_view::npos && comma > 0 && comma + 1 < args.size();
    for (size_t i = 0; ok && i < args.size(); ++i) {
      const char c = args[i];
      if (i == comma) continue;
      if (c < '0' || c > '9') ok = false;
      else if (i < comma) p = p * 10 + (c - '0');
      else s = s * 10 + (c - '0');
      if (p > 99 || s > 99) ok = false;
    }
    if (ok && p >= 1 && p <= 38 && s <= p)
      return ColumnType(TypeId::decimal, static_cast<uint8_t>(p), static_cast<uint8_t>(s));
    return usage_error("type '" + std::string(text) +
                       "': decimal needs a precision from 1 to 38 and a scale from 0 to the "
                       "precision, as in decimal(12,2)");
  }
  return usage_error("unknown type '" + std::string(text) +
                     "': use string, binary, bool, int32, int64, double, date, timestamp or "
                     "decimal(p,s)");
}

}  // namespace s3dest
