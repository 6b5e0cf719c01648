// Opens the RowReader (row_reader.hpp) for an input format: NDJSON (ndjson_reader.hpp)
// or csv with a header row (csv_reader.hpp).
//
//   S3DEST_ASSIGN_OR_RETURN(auto source, ByteSource::open("events.ndjson.gz"));
//   S3DEST_ASSIGN_OR_RETURN(auto reader, open_row_reader(std::move(source), InputFormat::ndjson, {}));
//   Row row;
//   for (;;) {
//     S3DEST_ASSIGN_OR_RETURN(const bool more, reader->next(row));
//     if (!more) break;
//     ...  // row[i] is a value of reader->schema().columns[i]
//   }
#pragma once

#include <memory>

#include "s3dest/core/byte_source.hpp"
#include "s3dest/core/status.hpp"
#include "s3dest/table/csv_reader.hpp"
#include "s3dest/table/ndjson_reader.hpp"
#include "s3dest/table/row_reader.hpp"

namespace s3dest {

enum class InputFormat { ndjson, csv };

// Opens `source` (whose name() is used in messages) as `format`. Without a schema this
// reads the first options.inference_rows rows to infer one.
Result<std::unique_ptr<RowReader>> open_row_reader(std::unique_ptr<ByteSource> source, InputFormat format,
                                                   const ReaderOptions& options);

// ---------------------------------------------------------------------------------------

inline Result<std::unique_ptr<RowReader>> open_row_reader(std::unique_ptr<ByteSource> source, InputFormat format,
                                                          const ReaderOptions& options) {
  if (!source) return internal_error("open_row_reader: no source");
  if (options.schema) S3DEST_TRY(check_reader_schema(*options.schema));
  switch (format) {
    case InputFormat::ndjson: {
      S3DEST_ASSIGN_OR_RETURN(auto reader, NdjsonReader::open(std::move(source), options));
      return std::unique_ptr<RowReader>(std::move(reader));
    }
    case InputFormat::csv: {
      S3DEST_ASSIGN_OR_RETURN(auto reader, CsvReader::open(std::move(source), options));
      return std::unique_ptr<RowReader>(std::move(reader));
    }
  }
  return internal_error("open_row_reader: unknown input format");
}

}  // namespace s3dest
