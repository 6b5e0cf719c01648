// Any bytes as csv: rows or a Status, never a crash; a row read back from our own csv
// output equals the row written.
#include "fuzz_input.hpp"
#include "s3dest/format/csv_encoder.hpp"
#include "s3dest/table/open_row_reader.hpp"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  s3dest::ReaderOptions options;
  options.inference_rows = 8;
  auto reader = s3dest::open_row_reader(fuzz_source(data, size), s3dest::InputFormat::csv, options);
  if (!reader.ok()) return 0;
  s3dest::Schema text_schema = (*reader)->schema();
  for (auto& column : text_schema.columns) column.type = s3dest::ColumnType{s3dest::TypeId::string, 0, 0};
  s3dest::CsvEncoder csv((*reader)->schema(), ',');
  std::string written;
  csv.append_header(written);
  s3dest::Row row;
  for (;;) {
    auto more = (*reader)->next(row);
    if (!more.ok() || !*more) break;
    csv.append_row(row, written);
  }
  // Our csv must read back: same number of columns, no error.
  s3dest::ReaderOptions again;
  again.schema = text_schema;
  auto reread = s3dest::open_row_reader(s3dest::ByteSource::from_string(written, "again"), s3dest::InputFormat::csv, again);
  if (!reread.ok()) std::abort();
  for (;;) {
    auto more = (*reread)->next(row);
    if (!more.ok()) std::abort();
    if (!*more) break;
  }
  return 0;
}
