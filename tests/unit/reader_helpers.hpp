// Shared by the reader tests: open a reader over text, and show rows the way a user would
// write them (null, numbers, "quoted strings", ISO dates, decimals with their scale,
// binary as b64:...), so expectations read like the data; the first error of a bad input
// as the user reads it; a schema given as its JSON.
//
//   auto reader = test_helpers::open_reader("a,b\n1,x\n", InputFormat::csv, {}, "data.csv");
//   BOOST_TEST(test_helpers::read_rows(*reader) == std::vector<std::string>{"a=1 b=\"x\""});
//   BOOST_TEST(test_helpers::input_error_of("a\n1,2\n", InputFormat::csv, {}, "data.csv") == "data.csv:2: ...");
// or, for a format's own tests, through TextInput below.
#pragma once

#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <vector>

#include "s3dest/core/byte_source.hpp"
#include "s3dest/format/text_values.hpp"
#include "s3dest/table/open_row_reader.hpp"
#include "s3dest/table/schema_file.hpp"

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

// The first error met opening or reading `text` as the file `name`; a failed check (and
// an ok status) when every row reads.
inline s3dest::Status first_error(const std::string& text, s3dest::InputFormat format,
                                  const s3dest::ReaderOptions& options, const std::string& name) {
  auto reader = s3dest::open_row_reader(s3dest::ByteSource::from_string(text, name), format, options);
  if (!reader.ok()) return reader.status();
  s3dest::Row row;
  for (;;) {
    auto more = (*reader)->next(row);
    if (!more.ok()) return more.status();
    if (!*more) break;
  }
  BOOST_ERROR("no error reading " << name << ": " << text.substr(0, 200));
  return {};
}

// The message of that first error, which must be an input error (exit code 3).
inline std::string input_error_of(const std::string& text, s3dest::InputFormat format,
                                  const s3dest::ReaderOptions& options, const std::string& name) {
  const s3dest::Status status = first_error(text, format, options, name);
  if (status.ok()) return "";
  BOOST_TEST(status.exit_code() == 3, "not an input error: " << status.message());
  return status.message();
}

// One input format's readers over text, as its tests open them: as the file `name`
// unless told otherwise.
//
//   const test_helpers::TextInput csv{s3dest::InputFormat::csv, "data.csv"};
//   BOOST_TEST(csv.rows("a\n1\n") == std::vector<std::string>{"a=1"});
//   BOOST_TEST(csv.error_of("a\n1,2\n") == "data.csv:2: ...");
//   auto reader = csv.open(gzip(text), {}, "data.csv.gz");
struct TextInput {
  s3dest::InputFormat format;
  std::string name;

  std::unique_ptr<s3dest::RowReader> open(const std::string& text, const s3dest::ReaderOptions& options = {}) const {
    return open_reader(text, format, options, name);
  }
  std::unique_ptr<s3dest::RowReader> open(const std::string& text, const s3dest::ReaderOptions& options,
                                          const std::string& file_name) const {
    return open_reader(text, format, options, file_name);
  }
  // Every row, shown.
  std::vector<std::string> rows(const std::string& text, const s3dest::ReaderOptions& options = {}) const {
    return read_rows(*open(text, options));
  }
  // The message of the first error opening or reading `text`; it must be an input error.
  std::string error_of(const std::string& text, const s3dest::ReaderOptions& options = {}) const {
    return input_error_of(text, format, options, name);
  }
};

// Reader options with the schema `json` (as a --schema file holds it).
inline s3dest::ReaderOptions with_schema(const std::string& json) {
  auto schema = s3dest::parse_schema_json(json, "schema.json");
  BOOST_REQUIRE_MESSAGE(schema.ok(), schema.status().message());
  s3dest::ReaderOptions options;
  options.schema = *schema;
  return options;
}

}  // namespace test_helpers
