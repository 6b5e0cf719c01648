// Any bytes as NDJSON: the reader returns rows or a Status, never crashes, and every row
// it returns encodes as csv and JSON.
#include "fuzz_input.hpp"
#include "s3dest/format/csv_encoder.hpp"
#include "s3dest/format/json_lines_encoder.hpp"
#include "s3dest/table/open_row_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  s3dest::ReaderOptions options;
  options.inference_rows = 8;
  auto reader = s3dest::open_row_reader(fuzz_source(data, size), s3dest::InputFormat::ndjson, options);
  if (!reader.ok()) return 0;
  const s3dest::Schema& schema = (*reader)->schema();
  s3dest::CsvEncoder csv(schema, ',');
  s3dest::JsonLinesEncoder json(schema);
  s3dest::Row row;
  std::string out;
  for (;;) {
    auto more = (*reader)->next(row);
    if (!more.ok() || !*more) break;
    csv.append_row(row, out);
    json.append_row(row, out);
    out.clear();
  }
  return 0;
}
