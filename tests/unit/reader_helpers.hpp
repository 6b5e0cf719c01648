// Shared by the reader tests: open a reader over text, and show rows the way a user would
// write them (null, numbers, "quoted strings", ISO dates, decimals with their scale,
// binary as b64:...), so expectations read like the data.
#pragma once

#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <vector>

#include "s3dest/format/text_values.hpp"
#include "s3dest/table/row_reader.hpp"

namespace test_helpers {

inline std::string show(const s3dest::Column& column, const s3dest::Value& v) {
  if (v.is_null) return "null";
  std::string out;
  s3dest::append_value_text(column.type, v, out);
  if (column.type.id == s3dest::TypeId::string) return "\"" + out + "\"";
  if (column.type.id == s3dest::TypeId::binary) return "b64:" + out;
  return out;
}

inline std::string show(const s3dest::Schema& schema, const s3dest::Row& row) {
  std::string out;
  for (size_t i = 0; i < row.size(); ++i)
    out += (i ? " " : "") + schema.columns[i].name + "=" + show(schema.columns[i], row[i]);
  return out;
}

inline std::string show_types(const s3dest::Schema& schema) {
  std::string out;
  for (const s3dest::Column& c : schema.columns) out += (out.empty() ? "" : " ") + c.name + ":" + c.type.name();
  return out;
}

inline std::unique_ptr<s3dest::RowReader> open_reader(const std::string& text, s3dest::InputFormat format,
                                                      const s3dest::ReaderOptions& options, const std::string& name) {
  auto reader = s3dest::open_row_reader(s3dest::ByteSource::from_string(text, name), format, options);
  BOOST_REQUIRE_MESSAGE(reader.ok(), reader.status().message());
  return std::move(*reader);
}

inline std::vector<std::string> read_rows(s3dest::RowReader& reader) {
  std::vector<std::string> rows;
  s3dest::Row row;
  for (;;) {
    auto more = reader.next(row);
    BOOST_REQUIRE_MESSAGE(more.ok(), more.status().message());
    if (!*more) return rows;
    rows.push_back(show(reader.schema(), row));
  }
}

}  // namespace test_helpers
