// The --schema file: the columns' names, types and nullability, in order.
//
//   {"columns": [{"name": "date", "type": "date", "nullable": false},
//                {"name": "cost", "type": "decimal(12,2)"},
//                {"name": "booked", "type": "date", "format": "%m/%d/%Y"},
//                {"name": "seen_at", "type": "timestamp", "unit": "ms"}]}
//
// Types are those of ColumnType::parse; columns are nullable unless "nullable": false. A
// date or timestamp may have a "format" (see core/time_format.hpp), a timestamp a "unit"
// (s, ms, us, ns: a number since the epoch) instead.
// Anything else (unknown keys, unknown types, duplicate names) is a usage error (exit 2)
// that names the file and the column, since a schema that is silently half-read would
// shape every object written.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "s3dest/core/status.hpp"
#include "s3dest/table/schema.hpp"

namespace s3dest {

// Parses a schema file's text; `name` (the path) starts every message.
Result<Schema> parse_schema_json(std::string_view json, const std::string& name);

// Reads and parses the file at `path`.
Result<Schema> load_schema_file(const std::string& path);

}  // namespace s3dest

// ---------------------------------------------------------------------------------------

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <unordered_set>
#include <vector>

#include "s3dest/core/settings_file.hpp"
#include "s3dest/core/text.hpp"

namespace s3dest {
namespace detail {

constexpr const char* kSchemaExample = "{\"columns\": [{\"name\": \"id\", \"type\": \"int64\"}]}";

// "unknown key 'nulable'; did you mean 'nullable'?" when one known key is close.
inline std::string unknown_key_message(std::string_view key, std::initializer_list<std::string_view> known) {
  std::string message = "unknown key '" + std::string(key) + "'";
  std::string_view best;
  size_t best_distance = 3;  // farther than two edits is no suggestion
  for (std::string_view k : known) {
    const size_t d = edit_distance(key, k);
    if (d < best_distance) {
      best_distance = d;
      best = k;
    }
  }
  if (!best.empty()) return message + "; did you mean '" + std::string(best) + "'?";
  message += "; the known keys are";
  const char* sep = " ";
  for (std::string_view k : known) {
    message += sep + std::string("'") + std::string(k) + "'";
    sep = ", ";
  }
  return message;
}

// A schema column's keys as written, before their meaning is checked.
struct ColumnFields {
  Column column;
  std::optional<std::string_view> type, format, unit;
  bool has_name = false, has_nullable = false;
};

// Reads one key of a column object into `f`, refusing one given twice or of the wrong kind.
inline Status read_column_field(std::string_view key, simdjson::dom::element value, const std::string& where,
                                ColumnFields& f) {
  const auto twice = [&] { return usage_error(where + ": \"" + std::string(key) + "\" is given twice"); };
  std::string_view text;
  if (key == "name") {
    if (f.has_name) return twice();
    if (value.get_string().get(text) || text.empty()) return usage_error(where + ": \"name\" must be a non-empty string");
    f.column.name = std::string(text);
    f.has_name = true;
  } else if (key == "type") {
    if (f.type) return twice();
    if (value.get_string().get(text))
      return usage_error(where + ": \"type\" must be a string such as \"int64\" or \"decimal(12,2)\"");
    f.type = text;
  } else if (key == "nullable") {
    if (f.has_nullable) return twice();
    if (value.get_bool().get(f.column.nullable)) return usage_error(where + ": \"nullable\" must be true or false");
    f.has_nullable = true;
  } else if (key == "format") {
    if (f.format) return twice();
    if (value.get_string().get(text) || text.empty())
      return usage_error(where + ": \"format\" must be a string such as \"%m/%d/%Y\"");
    f.format = text;
  } else if (key == "unit") {
    if (f.unit) return twice();
    if (value.get_string().get(text)) return usage_error(where + ": \"unit\" must be s, ms, us or ns");
    f.unit = text;
  } else {
    return usage_error(where + ": " + unknown_key_message(key, {"name", "type", "nullable", "format", "unit"}));
  }
  return {};
}

// The column the keys describe: a type that parses, and a format or unit only where they apply.
inline Result<Column> column_of(ColumnFields f, const std::string& named) {
  if (!f.type) {
    return usage_error(named + " has no \"type\"; use string, binary, bool, int32, int64, double, date, "
                               "timestamp or decimal(p,s)");
  }
  auto type = ColumnType::parse(*f.type);
  if (!type.ok()) return type.status().prefixed(named + ": ");
  Column column = std::move(f.column);
  column.type = *type;
  const bool time = type->id == TypeId::date || type->id == TypeId::timestamp;
  if (f.format) {
    if (!time) return usage_error(named + ": \"format\" is for date and timestamp columns");
    if (const auto problem = check_time_format(*f.format))
      return usage_error(named + ": \"format\" \"" + std::string(*f.format) + "\" " + *problem);
    column.type.format = std::string(*f.format);
  }
  if (f.unit) {
    const auto parsed = parse_epoch_unit(*f.unit);
    if (type->id != TypeId::timestamp || !parsed || f.format)
      return usage_error(named + ": \"unit\" is for a timestamp given as a number since 1970 (s, ms, us or ns), "
                                 "without a \"format\"");
    column.type.unit = *parsed;
  }
  return column;
}

inline Result<Column> parse_schema_column(simdjson::dom::element element, size_t index, const std::string& name) {
  const std::string where = name + ": column " + std::to_string(index + 1);
  simdjson::dom::object object;
  if (element.get_object().get(object)) {
    return usage_error(where + " must be an object like {\"name\": \"id\", \"type\": \"int64\"}");
  }
  ColumnFields fields;
  for (auto field : object) S3DEST_TRY(read_column_field(field.key, field.value, where, fields));
  if (!fields.has_name) return usage_error(where + " has no \"name\"; give each column a name");
  const std::string named = name + ": column '" + fields.column.name + "'";
  return column_of(std::move(fields), named);
}

}  // namespace detail

inline Result<Schema> parse_schema_json(std::string_view json, const std::string& name) {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(json);
  simdjson::dom::element root;
  if (auto error = parser.parse(padded).get(root)) {
    return usage_error(name + ": not valid JSON (" + simdjson::error_message(error) +
                       "); a schema file looks like " + detail::kSchemaExample);
  }
  simdjson::dom::object top;
  if (root.get_object().get(top))
    return usage_error(name + ": a schema file is a JSON object like " + std::string(detail::kSchemaExample));
  simdjson::dom::array columns;
  bool has_columns = false;
  for (auto field : top) {
    if (field.key != "columns")
      return usage_error(name + ": " + detail::unknown_key_message(field.key, {"columns"}));
    if (has_columns) return usage_error(name + ": \"columns\" is given twice");
    if (field.value.get_array().get(columns))
      return usage_error(name + ": \"columns\" must be an array of columns like " + std::string(detail::kSchemaExample));
    has_columns = true;
  }
  if (!has_columns) return usage_error(name + ": no \"columns\"; a schema file looks like " + detail::kSchemaExample);

  Schema schema;
  std::unordered_set<std::string> names;
  size_t index = 0;
  for (simdjson::dom::element element : columns) {
    S3DEST_ASSIGN_OR_RETURN(Column column, detail::parse_schema_column(element, index++, name));
    if (!names.insert(column.name).second) {
      return usage_error(name + ": column name '" + column.name +
                         "' appears twice; column names must be unique");
    }
    schema.columns.push_back(std::move(column));
  }
  if (schema.columns.empty()) return usage_error(name + ": \"columns\" is empty; list at least one column");
  return schema;
}

inline Result<Schema> load_schema_file(const std::string& path) {
  // The most columns a load takes (16 a MiB of memory_limit_mb, so 16 million at its
  // largest) would never be written by hand; 16 MiB holds 100,000 columns with long names.
  constexpr size_t kMaxSchemaBytes = size_t{16} << 20;
  S3DEST_ASSIGN_OR_RETURN(const std::string text,
                          read_settings_file(path, kMaxSchemaBytes, "schema file", "check the path given with --schema"));
  return parse_schema_json(text, path);
}

}  // namespace s3dest
