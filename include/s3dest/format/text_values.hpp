// How a non-null value is spelled in the text formats (csv and JSON Lines share it):
// booleans true/false, exact integers, shortest round-trip doubles, YYYY-MM-DD dates,
// RFC 3339 UTC timestamps, exact decimals with their scale, binary as base64.
#pragma once

#include <string>

#include "s3dest/core/civil_time.hpp"
#include "s3dest/core/numbers.hpp"
#include "s3dest/crypto/base64.hpp"
#include "s3dest/table/decimal.hpp"
#include "s3dest/table/row.hpp"
#include "s3dest/table/schema.hpp"

namespace s3dest {

inline void append_value_text(const ColumnType& type, const Value& value, std::string& out) {
  switch (type.id) {
    case TypeId::string: out.append(value.bytes); break;
    case TypeId::binary: append_base64(out, value.bytes); break;
    case TypeId::boolean: out.append(value.boolean ? "true" : "false"); break;
    case TypeId::int32:
    case TypeId::int64: append_int(out, value.integer); break;
    case TypeId::float64: append_double(out, value.real); break;
    case TypeId::date: append_date(out, static_cast<int32_t>(value.integer)); break;
    case TypeId::timestamp: append_timestamp(out, value.integer); break;
    case TypeId::decimal: append_decimal(out, value.decimal, type.scale); break;
  }
}

}  // namespace s3dest
