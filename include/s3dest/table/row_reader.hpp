// Rows from an input file, one at a time, in the columns of a schema the reader knows
// before the first row: given (--schema, or the schema of an earlier input file) or
// inferred from the first rows, which it buffers and then replays. ReaderOptions says how
// to read; open_row_reader.hpp opens the reader for an input format (csv_reader.hpp,
// ndjson_reader.hpp).
//
//   Row row;
//   for (;;) {
//     S3DEST_ASSIGN_OR_RETURN(const bool more, reader->next(row));
//     if (!more) break;
//     ...  // row[i] is a value of reader->schema().columns[i]
//   }
//
// Every bad value is an input error (exit 3) that starts "<file>:<line>: " and says what to
// do (reader_errors.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "s3dest/core/status.hpp"
#include "s3dest/table/row.hpp"
#include "s3dest/table/schema.hpp"

namespace s3dest {

class RowReader {
 public:
  virtual ~RowReader() = default;
  virtual const Schema& schema() const = 0;
  // Reads the next row (values in schema column order) into `row`. Ok(false) at end of
  // input. Values' string_views stay valid until the next call.
  virtual Result<bool> next(Row& row) = 0;
  // The input's name and the line of the row last read, for messages about that row
  // beyond the reader's own.
  virtual const std::string& name() const = 0;
  virtual uint64_t line() const = 0;
};

struct ReaderOptions {
  std::optional<Schema> schema;  // from --schema or from the previous input file; else inferred
  // Where `schema` came from, for messages about values that do not fit it: empty for a
  // --schema file, else e.g. "inferred from the first 1000 rows of a.ndjson".
  std::string schema_origin;
  size_t inference_rows = 1000;  // rows looked at to infer types
  char csv_separator = ',';      // for csv input
  // The longest line (NDJSON) or record (csv) read; a longer one is bad input. Parsing a
  // line takes several times its size, so this is what bounds a reader's memory. Schema
  // inference also stops early once its sample rows hold twice this many bytes.
  size_t max_line_bytes = size_t{16} << 20;
  // The most columns a table may have (keys of NDJSON objects, fields of a csv header):
  // every column costs memory in each open output file.
  size_t max_columns = 8192;
  // Columns declared to hold a date or a timestamp (the date field that partitions), so a
  // value that is neither is bad input at its row rather than making a column of strings.
  // One with a format or unit (type.format, type.unit) has the type it declares; one
  // without is a timestamp if a sample value was one, else a date.
  std::vector<Column> time_columns;
  // Lines before the source's first byte: a source that is one block of a larger file
  // reports the file's line numbers.
  uint64_t first_line_offset = 0;
  // csv only: the fields of the header row, for a source that is a block of a larger file
  // past its header (the block's first record is a row, not a header). Empty: the source
  // starts with the header row, after blank lines and, at a file's start, a byte-order
  // mark.
  std::vector<std::string> csv_header;
};

// Refuses a schema handed to a reader (ReaderOptions::schema) that has a column without a
// name or a name twice.
Status check_reader_schema(const Schema& schema);

}  // namespace s3dest

// ---------------------------------------------------------------------------------------

#include <string_view>
#include <unordered_set>

namespace s3dest {

inline Status check_reader_schema(const Schema& schema) {
  std::unordered_set<std::string_view> names;
  for (const Column& c : schema.columns) {
    if (c.name.empty()) return usage_error("the schema has a column without a name; name every column");
    if (!names.insert(c.name).second)
      return usage_error("the schema names column '" + c.name + "' twice; column names must be unique");
  }
  return {};
}

}  // namespace s3dest
